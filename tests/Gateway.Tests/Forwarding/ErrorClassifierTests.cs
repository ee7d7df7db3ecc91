using LivepeerAspire.Gateway.Forwarding;

namespace LivepeerAspire.Gateway.Tests.Forwarding;

public sealed class ErrorClassifierTests
{
    [Theory]
    [InlineData(503, "{\"detail\":{\"msg\":\"insufficient capacity\"}}", FailureKind.Capacity)]
    [InlineData(500, "Insufficient Capacity\n", FailureKind.Capacity)]
    [InlineData(400, "TicketParams expired", FailureKind.Ticket)]
    [InlineData(400, "invalid ticket senderNonce: already seen", FailureKind.Ticket)]
    [InlineData(400, "{\"detail\":{\"msg\":\"Prompt must be provided.\"}}", FailureKind.BadRequest)]
    [InlineData(422, "{\"detail\":[{\"msg\":\"field required\"}]}", FailureKind.BadRequest)]
    [InlineData(500, "unexpected status code: 500, body: runner returned 400", FailureKind.BadRequest)]
    [InlineData(500, "{\"detail\":{\"msg\":\"GPU out of memory.\"}}", FailureKind.Error)]
    [InlineData(502, "bad gateway", FailureKind.Error)]
    [InlineData(403, "Could not verify segment creds", FailureKind.Error)]
    public void Classifies_like_go_livepeer(int status, string body, FailureKind expected) =>
        ErrorClassifier.Classify(status, body).ShouldBe(expected);

    [Theory]
    [InlineData("{\"detail\":{\"msg\":\"insufficient capacity\"}}", "insufficient capacity")]
    [InlineData("{\"error\":{\"message\":\"boom\"}}", "boom")]
    [InlineData("plain text\n", "plain text")]
    public void Extracts_the_message(string body, string expected) => ErrorClassifier.MessageOf(body).ShouldBe(expected);
}
