using Gecko.Launch.Cli;

return await GeckoCommand.RunAsync(args);
