using System.ClientModel;
using LivepeerAspire.Network.Tests.Support;
using OpenAI;
using OpenAI.Chat;
using LivepeerAspire.Tests.Shared;

namespace LivepeerAspire.Network.Tests.Pipelines;

/// <summary>The official OpenAI clients (.NET and npm) against the gateway's /v1 routes, unmodified.</summary>
[Collection(PipelinesNetwork.Name)]
public sealed class OpenAiClientTests(PipelinesNetworkFixture network)
{
    private const string Model = "meta-llama/Meta-Llama-3.1-8B-Instruct";

    private ChatClient Chat(string model = Model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(network.GatewayUrl + "/v1") });

    [Fact]
    public async Task Dotnet_client_gets_a_whole_completion()
    {
        ChatCompletion completion = await Chat().CompleteChatAsync(
            [new UserChatMessage("Name three rivers.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 16 });

        completion.Role.ShouldBe(ChatMessageRole.Assistant);
        completion.Content.Single().Text.ShouldNotBeNullOrWhiteSpace();
        completion.FinishReason.ShouldBeOneOf(ChatFinishReason.Stop, ChatFinishReason.Length);
        completion.Usage.OutputTokenCount.ShouldBeInRange(1, 16);
    }

    [Fact]
    public async Task Dotnet_client_streams_a_completion_in_pieces()
    {
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in Chat().CompleteChatStreamingAsync(
            [new UserChatMessage("Count to ten.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 20 }))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            finish ??= update.FinishReason;
        }

        pieces.Count.ShouldBeGreaterThan(3);
        string.Concat(pieces).ShouldNotBeNullOrWhiteSpace();
        finish.ShouldNotBeNull();
    }

    [Fact]
    public async Task Dotnet_client_sees_an_unknown_model_as_an_openai_error()
    {
        var error = await Should.ThrowAsync<ClientResultException>(() => Chat("no-such/model").CompleteChatAsync([new UserChatMessage("hi")]));
        error.Status.ShouldBeInRange(400, 404);
        error.Message.ShouldContain("no-such/model");
    }

    [Fact]
    public async Task Npm_openai_client_lists_models_completes_and_streams()
    {
        var result = await NodeScript.RunAsync("openai-client.mjs", network.GatewayUrl);

        result.GetProperty("models").EnumerateArray().Select(m => m.GetString()).ShouldContain(Model);
        result.GetProperty("completion").GetProperty("object").GetString().ShouldBe("chat.completion");
        result.GetProperty("completion").GetProperty("content").GetString().ShouldNotBeNullOrWhiteSpace();
        result.GetProperty("stream").GetProperty("chunks").GetInt32().ShouldBeGreaterThan(3);
        result.GetProperty("stream").GetProperty("finishReason").GetString().ShouldNotBeNullOrEmpty();
        result.GetProperty("unknownModel").GetProperty("ok").GetBoolean().ShouldBeFalse();
        result.GetProperty("unknownModel").GetProperty("status").GetInt32().ShouldBeInRange(400, 404);
    }
}
