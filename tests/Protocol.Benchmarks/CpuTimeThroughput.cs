using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LivepeerAspire.Protocol.Benchmarks;

/// <summary>
/// Operations per second of this thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), next to BenchmarkDotNet's wall-clock
/// figures: on a shared machine the wall clock includes time other processes held the core, CPU time does not,
/// so this is the "per core" figure.
/// </summary>
public static class CpuTimeThroughput
{
    private const int ClockThreadCpuTime = 3;

    public static void Run(TimeSpan perOperation)
    {
        Console.WriteLine($"| operation | implementation | ops per CPU-second (this thread) | ops per wall-second | ops |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var implementation in new[] { "native", "managed" })
        {
            var bench = new TicketSignatureBenchmarks { Implementation = implementation };
            bench.Setup();
            Measure("ticket hash (flatten + keccak)", implementation, () => bench.TicketHash(), perOperation);
            Measure("sign ticket digest", implementation, () => bench.Sign(), perOperation);
            Measure("recover sender key", implementation, () => bench.Recover(), perOperation);
            Measure("verify with cached key", implementation, () => bench.VerifyCachedKey(), perOperation);
            Measure("sender cache verify (lookup + verify)", implementation, () => bench.SenderCacheVerify(), perOperation);
        }

        var validation = new TicketValidationBenchmarks();
        validation.Setup();
        try
        {
            // Per ticket, side by side: the orchestrator's whole validation of a one-ticket payment against a raw verify.
            MeasureBatches("raw libsecp256k1 verify (cached key)", "native", () => { }, () => validation.RawVerify(), perOperation);
            MeasureBatches("validate + credit a 1-ticket payment", "orchestrator", validation.PreparePayments, () => validation.ValidateOneTicketPayments().GetAwaiter().GetResult(), perOperation);
            MeasureBatches("create a 1-ticket payment", "gateway", validation.PrepareParams, () => validation.CreateOneTicketPayments().GetAwaiter().GetResult(), perOperation);
        }
        finally
        {
            validation.Cleanup();
        }

        var nethereum = new NethereumSignerBenchmarks();
        nethereum.Setup();
        Measure("abi.encodePacked of a ticket", "project Ticket.Flatten", () => nethereum.ProjectFlatten(), perOperation);
        Measure("abi.encodePacked of a ticket", "Nethereum ABIEncode", () => nethereum.NethereumFlatten(), perOperation);
        Measure("keccak of the 232-byte flattened ticket", "project Keccak256", () => nethereum.ProjectTicketHash(), perOperation);
        Measure("keccak of the 232-byte flattened ticket", "Nethereum Sha3Keccack", () => nethereum.TicketHash(), perOperation);
        Measure("sign ticket digest", "Nethereum", () => nethereum.Sign(), perOperation);
        Measure("recover sender key", "Nethereum", () => nethereum.Recover(), perOperation);
        Measure("verify with cached key", "Nethereum", () => nethereum.VerifyCachedKey(), perOperation);
    }

    private static void Measure(string name, string implementation, Func<object> operation, TimeSpan duration)
    {
        for (var i = 0; i < 200; i++)
        {
            operation();
        }

        var wall = Stopwatch.StartNew();
        var cpuStart = ThreadCpuSeconds();
        long ops = 0;
        while (wall.Elapsed < duration)
        {
            for (var i = 0; i < 50; i++)
            {
                operation();
            }

            ops += 50;
        }

        var cpu = ThreadCpuSeconds() - cpuStart;
        Console.WriteLine($"| {name} | {implementation} | {ops / cpu:N0} | {ops / wall.Elapsed.TotalSeconds:N0} | {ops:N0} |");
    }

    /// <summary>Batches of <see cref="TicketValidationBenchmarks.Batch"/> operations, each after an untimed preparation.</summary>
    private static void MeasureBatches(string name, string implementation, Action prepare, Action batch, TimeSpan duration)
    {
        prepare();
        batch();
        double cpu = 0;
        double wallSeconds = 0;
        long ops = 0;
        while (wallSeconds < duration.TotalSeconds)
        {
            prepare();
            var wall = Stopwatch.StartNew();
            var cpuStart = ThreadCpuSeconds();
            batch();
            cpu += ThreadCpuSeconds() - cpuStart;
            wallSeconds += wall.Elapsed.TotalSeconds;
            ops += TicketValidationBenchmarks.Batch;
        }

        Console.WriteLine($"| {name} | {implementation} | {ops / cpu:N0} | {ops / wallSeconds:N0} | {ops:N0} |");
    }

    private static double ThreadCpuSeconds()
    {
        if (clock_gettime(ClockThreadCpuTime, out var ts) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return ts.Seconds + ts.Nanoseconds / 1e9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
}
