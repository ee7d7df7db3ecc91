using BenchmarkDotNet.Running;
using LivepeerAspire.Protocol.Eth;

Console.WriteLine(Secp256k1.Description);
BenchmarkSwitcher.FromAssembly(typeof(LivepeerAspire.Protocol.Benchmarks.TicketSignatureBenchmarks).Assembly).Run(args);
