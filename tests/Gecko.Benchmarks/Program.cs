using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Gecko.Benchmarks -- --filter '*'          (everything)
// dotnet run -c Release --project tests/Gecko.Benchmarks -- --filter '*Codec*'    (one class)
// dotnet run -c Release --project tests/Gecko.Benchmarks -- --list flat           (what there is)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
