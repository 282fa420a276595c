using MlNetTransfer.Cli;

InheritedSignals.TakeInterrupt(); // before anything that lets .NET install its signal handlers
GlibcMalloc.FixThresholds();
return CliApp.Run(args, Console.Out, Console.Error);
