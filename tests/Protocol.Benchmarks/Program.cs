using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LivepeerAspire.Protocol.Eth;

Console.WriteLine(Secp256k1.Description);

// A short job run in this process: no second build on a shared 2-core machine, figures within a few percent.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"));
BenchmarkSwitcher.FromAssembly(typeof(LivepeerAspire.Protocol.Benchmarks.TicketSignatureBenchmarks).Assembly)
    .Run(args.Length == 0 ? ["--filter", "*"] : args, config);
