using MlNetTransfer.Cli;

GlibcMalloc.FixMmapThreshold();
return CliApp.Run(args, Console.Out, Console.Error);
