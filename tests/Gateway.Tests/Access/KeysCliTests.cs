using System.Text.Json;
using LivepeerAspire.Gateway.Access;

namespace LivepeerAspire.Gateway.Tests.Access;

/// <summary>The <c>keys</c> / <c>usage</c> commands against a running gateway's admin API.</summary>
public sealed class KeysCliTests
{
    [Fact]
    public async Task Create_list_revoke_and_usage_go_through_the_admin_api()
    {
        await using var host = await AccessHost.StartAsync();
        var common = new[] { "--gateway", host.Gateway.BaseAddress.ToString(), "--admin-key", AccessHost.AdminKey };

        var (created, createdText, _) = await Run(["keys", "create", "--name", "cli-app", "--budget", "0.001eth", "--rpm", "30", .. common]);
        var key = JsonDocument.Parse(createdText).RootElement.GetProperty("key").GetString()!;
        using var job = await host.LlmAsync(key);
        var (listed, listText, _) = await Run(["keys", "list", .. common]);
        var (usage, usageText, _) = await Run(["usage", "--period", "total", .. common]);
        var (revoked, _, _) = await Run(["keys", "revoke", "cli-app", .. common]);
        using var refused = await host.LlmAsync(key);

        created.ShouldBe(0);
        key.ShouldStartWith(ApiKeys.Prefix);
        job.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        listed.ShouldBe(0);
        var view = JsonDocument.Parse(listText).RootElement.EnumerateArray().Single();
        view.GetProperty("budget_wei").GetString().ShouldBe("1000000000000000");
        view.GetProperty("requests_per_minute").GetInt32().ShouldBe(30);
        usage.ShouldBe(0);
        JsonDocument.Parse(usageText).RootElement.GetProperty("totals")[0].GetProperty("fee_wei").GetString().ShouldBe(AccessHost.Fee(job).ToString());
        revoked.ShouldBe(0);
        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Refusals_and_bad_arguments_are_reported_with_an_exit_code()
    {
        await using var host = await AccessHost.StartAsync();
        var gateway = host.Gateway.BaseAddress.ToString();

        var (duplicateFirst, _, _) = await Run(["keys", "create", "--name", "twice", "--gateway", gateway, "--admin-key", AccessHost.AdminKey]);
        var (duplicate, _, duplicateError) = await Run(["keys", "create", "--name", "twice", "--gateway", gateway, "--admin-key", AccessHost.AdminKey]);
        var (zero, _, zeroError) = await Run(["keys", "create", "--name", "zero", "--budget", "0", "--gateway", gateway, "--admin-key", AccessHost.AdminKey]);
        var (wrongAdmin, _, wrongAdminError) = await Run(["keys", "list", "--gateway", gateway, "--admin-key", "not-the-admin-key"]);
        var (noName, _, noNameError) = await Run(["keys", "create", "--gateway", gateway, "--admin-key", AccessHost.AdminKey]);

        duplicateFirst.ShouldBe(0);
        duplicate.ShouldBe(1);
        duplicateError.ShouldContain("409: a key named 'twice' already exists");
        zero.ShouldBe(1);
        zeroError.ShouldContain("400: budget must be positive");
        wrongAdmin.ShouldBe(1);
        wrongAdminError.ShouldContain("401");
        noName.ShouldBe(2);
        noNameError.ShouldContain("keys create needs --name NAME");
    }

    private static async Task<(int Code, string Output, string Error)> Run(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeysCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
