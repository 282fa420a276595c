using MlNetTransfer.Cli;

GlibcMalloc.FixThresholds();
return CliApp.Run(args, Console.Out, Console.Error);
