using LivepeerAspire.LoadTests.Jobs;
using LivepeerAspire.LoadTests.Load;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class ScheduleTests
{
    [Fact]
    public void Inject_sends_rate_times_duration_evenly_spaced()
    {
        var arrivals = ArrivalSchedule.Create(new InjectSimulation(4, TimeSpan.FromSeconds(10)), TimeSpan.FromSeconds(2), 10_000, 1);

        arrivals.Count.ShouldBe(48); // 4/s over 2 s warm-up + 10 s
        arrivals[1].ShouldBe(TimeSpan.FromMilliseconds(250));
        arrivals.Zip(arrivals.Skip(1), (a, b) => (b - a).TotalMilliseconds).ShouldAllBe(gap => Math.Abs(gap - 250) < 1e-6);
    }

    [Fact]
    public void Poisson_arrivals_have_the_asked_rate_and_dispersion_of_counts_near_one()
    {
        const double rate = 10;
        const int seconds = 3000;
        var arrivals = ArrivalSchedule.Create(new PoissonSimulation(rate, TimeSpan.FromSeconds(seconds)), TimeSpan.Zero, 1_000_000, 7);

        // Mean count 30,000, Poisson sd ≈ 173: a 1 % band is ~1.7 sd.
        (arrivals.Count / (double)seconds).ShouldBe(rate, rate * 0.02);
        var counts = new int[seconds];
        foreach (var t in arrivals)
        {
            counts[(int)t.TotalSeconds]++;
        }

        var mean = counts.Average();
        var variance = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Length - 1);
        var dispersion = variance / mean;

        // For Poisson counts the index of dispersion is 1 with sd ≈ sqrt(2/(n−1)) ≈ 0.026 here.
        dispersion.ShouldBeInRange(0.88, 1.12);
    }

    [Fact]
    public void Evenly_spaced_inject_is_not_mistaken_for_poisson()
    {
        var arrivals = ArrivalSchedule.Create(new InjectSimulation(10, TimeSpan.FromSeconds(500)), TimeSpan.Zero, 1_000_000, 7);
        var counts = new int[500];
        foreach (var t in arrivals)
        {
            counts[(int)t.TotalSeconds]++;
        }

        var mean = counts.Average();
        var variance = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Length - 1);

        (variance / mean).ShouldBeLessThan(0.1);
    }

    [Fact]
    public void Ramping_inject_warms_up_at_the_start_rate_then_ramps()
    {
        var warm = TimeSpan.FromSeconds(5);
        var arrivals = ArrivalSchedule.Create(new RampingInjectSimulation(2, 10, TimeSpan.FromSeconds(20)), warm, 10_000, 1);

        arrivals.Count(t => t < warm).ShouldBe(10);                   // 2/s × 5 s
        ((double)arrivals.Count(t => t >= warm)).ShouldBe(120, 1);             // (2 + 10) / 2 × 20 s
        var firstQuarter = arrivals.Count(t => t >= warm && t < warm + TimeSpan.FromSeconds(5));
        var lastQuarter = arrivals.Count(t => t >= warm + TimeSpan.FromSeconds(15));
        ((double)firstQuarter).ShouldBe(15, 1);                                // ∫0..5 (2 + 0.4t) dt = 15
        ((double)lastQuarter).ShouldBe(45, 1);                                 // ∫15..20 = 45
        arrivals.ShouldBe(arrivals.OrderBy(t => t).ToList());
    }

    [Fact]
    public void Schedules_stop_at_max_requests()
    {
        ArrivalSchedule.Create(new PoissonSimulation(100, TimeSpan.FromSeconds(100)), TimeSpan.Zero, 50, 3).Count.ShouldBe(50);
    }

    [Fact]
    public void Same_seed_gives_the_same_job_sequence_and_schedule()
    {
        ScenarioCatalog.TryResolve("mixed", out var scenario, out _).ShouldBeTrue();
        var sim = new PoissonSimulation(20, TimeSpan.FromSeconds(30));

        var a = JobPlan.Create(scenario!, sim, TimeSpan.FromSeconds(2), 10_000, 42);
        var b = JobPlan.Create(scenario!, sim, TimeSpan.FromSeconds(2), 10_000, 42);
        var c = JobPlan.Create(scenario!, sim, TimeSpan.FromSeconds(2), 10_000, 43);

        a.Requests.ShouldBe(b.Requests);
        a.Requests.Select(r => r.Intended).ShouldNotBe(c.Requests.Select(r => r.Intended));
        a.Requests.Select(r => r.Kind).ShouldNotBe(c.Requests.Select(r => r.Kind));
    }

    [Fact]
    public void Job_mix_follows_its_weights()
    {
        ScenarioCatalog.TryResolve("llm-stream=3,text-to-image=1", out var scenario, out _).ShouldBeTrue();
        var plan = JobPlan.Create(scenario!, new KeepConstantSimulation(1, TimeSpan.FromSeconds(1)), TimeSpan.Zero, 20_000, 5);

        var share = plan.Requests.Count(r => r.Kind == JobKind.LlmStream) / (double)plan.Requests.Count;
        share.ShouldBe(0.75, 0.015);
    }

    [Fact]
    public void Same_seed_gives_the_same_request_bytes()
    {
        ScenarioCatalog.TryResolve("mixed", out var scenario, out _).ShouldBeTrue();
        var plan = JobPlan.Create(scenario!, new InjectSimulation(50, TimeSpan.FromSeconds(1)), TimeSpan.Zero, 100, 9);
        var gateway = new Uri("http://127.0.0.1:9935/");

        var first = plan.Requests.Select(p => Body(new JobRequestFactory(gateway, scenario!, 9).Create(p))).ToList();
        var second = plan.Requests.Select(p => Body(new JobRequestFactory(gateway, scenario!, 9).Create(p))).ToList();

        first.ShouldBe(second);
    }

    [Fact]
    public void Extra_headers_such_as_a_client_deadline_go_on_every_request()
    {
        ScenarioCatalog.TryResolve("image-to-video", out var scenario, out _).ShouldBeTrue();
        var factory = new JobRequestFactory(new Uri("http://127.0.0.1:9935/"), scenario!, 1, null, new Dictionary<string, string> { ["Livepeer-Deadline-Ms"] = "300" });

        using var request = factory.Create(new PlannedRequest(0, JobKind.ImageToVideo, TimeSpan.Zero));

        request.Headers.GetValues("Livepeer-Deadline-Ms").ShouldBe(["300"]);
        request.RequestUri!.AbsolutePath.ShouldBe("/image-to-video");
    }

    private static string Body(HttpRequestMessage m)
    {
        var bytes = m.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var text = System.Text.Encoding.Latin1.GetString(bytes);

        // Multipart boundaries are random GUIDs; compare what is between them.
        var boundary = m.Content.Headers.ContentType?.Parameters.FirstOrDefault(p => p.Name == "boundary")?.Value?.Trim('"');
        return m.RequestUri + " " + (boundary is null ? text : text.Replace(boundary, "B", StringComparison.Ordinal));
    }
}
