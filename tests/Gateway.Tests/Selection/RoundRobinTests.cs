using LivepeerAspire.Gateway.Selection;
using LivepeerAspire.Gateway.Tests.Fakes;

namespace LivepeerAspire.Gateway.Tests.Selection;

public sealed class RoundRobinTests
{
    [Fact]
    public void Rotates_over_candidates_in_service_uri_order()
    {
        var selection = TestSessions.Selection(new SelectionOptions());
        var sessions = new[] { "http://c:1/", "http://a:1/", "http://b:1/" }.Select(u => TestSessions.Session(u)).ToList();
        var strategy = new RoundRobinStrategy();
        var picks = Enumerable.Range(0, 6).Select(_ => strategy.Select(sessions, TestSessions.Context(selection, new Random(1))).Session!.Key).ToList();
        picks.ShouldBe(["http://a:1", "http://b:1", "http://c:1", "http://a:1", "http://b:1", "http://c:1"]);
    }
}
