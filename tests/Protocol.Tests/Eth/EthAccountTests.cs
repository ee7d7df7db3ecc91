using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Protocol.Tests.Eth;

public sealed class EthAccountTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "lpa-key-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Key_file_is_created_on_first_start_and_reused_afterwards()
    {
        var first = EthAccount.LoadOrCreate(directory);
        var path = Path.Combine(directory, EthAccount.DefaultKeyFileName);
        File.Exists(path).ShouldBeTrue();
        File.ReadAllText(path).Trim().ShouldMatch("^0x[0-9a-f]{64}$");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var second = EthAccount.LoadOrCreate(directory);
        second.Address.ShouldBe(first.Address);
    }

    [Fact]
    public void Known_key_gives_the_known_ganache_address()
    {
        // ganache --wallet.deterministic account 0 (reference/local-tooling.md)
        var account = EthAccount.FromHex("0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d");
        account.Address.ToLowerHex().ShouldBe("0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1");
    }

    [Fact]
    public void Malformed_key_file_is_an_error_not_replaced()
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, EthAccount.DefaultKeyFileName);
        File.WriteAllText(path, "not a key");
        var error = Should.Throw<InvalidDataException>(() => EthAccount.LoadOrCreate(directory));
        error.Message.ShouldContain(path);
        File.ReadAllText(path).ShouldBe("not a key");
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
