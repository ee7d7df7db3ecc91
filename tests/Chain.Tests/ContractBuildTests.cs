using System.Diagnostics;
using LivepeerAspire.Protocol.Ledger.Chain;

namespace LivepeerAspire.Chain.Tests;

public sealed class ContractBuildTests
{
    [Fact]
    public async Task The_checked_in_ABI_and_bytecode_are_what_the_pinned_solc_builds_from_the_sources()
    {
        var dir = DevChain.FindChainDirectory();
        var info = new ProcessStartInfo("node", "build.mjs --check") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        process.ExitCode.ShouldBe(0, await stdout + await stderr);
    }
}
