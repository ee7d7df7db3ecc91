using LivepeerAspire.LoadTests;
using LivepeerAspire.LoadTests.Experiments.Chaos;
using LivepeerAspire.LoadTests.Running;
using LivepeerAspire.LoadTests.Stats;
using LivepeerAspire.Networks.Chaos;

namespace LivepeerAspire.LoadTests.Tests;

public sealed class ChaosTests
{
    private static readonly Dictionary<string, IReadOnlyList<ChaosGpu>> Targets = new(StringComparer.Ordinal)
    {
        ["o1"] = [new("o1-gpu0", "text-to-image"), new("o1-gpu1", "llm")],
        ["o2"] = [new("o2-gpu0", "text-to-image")],
        ["o3"] = [new("o3-gpu0", "text-to-image"), new("o3-gpu1", "llm")],
        ["x"] = [],
    };

    private static IReadOnlyList<ChaosFault> Generate(int seed) =>
        ChaosSchedule.Generate(seed, Targets, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(60), TimeSpan.FromSeconds(12));

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_another_seed_another()
    {
        Generate(7).ShouldBe(Generate(7));
        Generate(7).ShouldNotBe(Generate(8));
    }

    [Fact]
    public void A_generated_schedule_has_about_the_asked_rate_every_kind_and_never_overlaps_faults_on_one_orchestrator()
    {
        var faults = Generate(19);

        // 4 orchestrators × 3,590 s ÷ (12 s mean gap, stretched while a fault lasts ~7 s and a kill restarts 12 s): fewer than 1,200.
        faults.Count.ShouldBeInRange(500, 1200);
        faults.Select(f => f.Kind).Distinct().Order().ShouldBe(ChaosKinds.All.Order());
        faults.Where(f => f.Kind == ChaosKinds.Stall).ShouldAllBe(f => f.Orchestrator != "o2", "o2 has no LLM GPU");
        faults.Where(f => f.Orchestrator == "x").ShouldAllBe(f => f.OnProcess, "x has no simulated GPU");
        faults.ShouldContain(f => f.Orchestrator == "x");
        faults.ShouldAllBe(f => f.At >= TimeSpan.FromSeconds(10) && f.End <= TimeSpan.FromMinutes(60));
        foreach (var byOrchestrator in faults.GroupBy(f => f.Orchestrator))
        {
            var ordered = byOrchestrator.OrderBy(f => f.At).ToList();
            ordered.Zip(ordered.Skip(1)).ShouldAllBe(pair =>
                pair.Second.At >= pair.First.End + (pair.First.Kind == ChaosKinds.Kill ? ChaosSchedule.RestartAllowance : TimeSpan.Zero));
        }
    }

    [Fact]
    public void A_written_schedule_reads_back_the_same()
    {
        var file = Path.GetTempFileName();
        try
        {
            var faults = Generate(3).Take(20).ToList();
            ChaosSchedule.Write(file, faults);

            ChaosSchedule.Load(file, Targets).ShouldBe(faults);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{"at":"1s","for":"2s","kind":"melt","orchestrator":"o1"}""", "entry 2 (melt): unknown kind 'melt'; known: kill, freeze, hang, slow, errors, stall")]
    [InlineData("""{"at":"-5s","for":"2s","kind":"hang","orchestrator":"o1"}""", "entry 2 (hang): negative time 'at'")]
    [InlineData("""{"at":5,"for":-1,"kind":"slow","orchestrator":"o1"}""", "entry 2 (slow): negative time 'for'")]
    [InlineData("""{"at":"soon","for":"2s","kind":"slow","orchestrator":"o1"}""", "entry 2 (slow): 'at' must be a duration")]
    [InlineData("""{"at":"30s","for":"2s","kind":"kill","orchestrator":"o9"}""", "entry 2 (kill): unknown target orchestrator 'o9'; the topology has o1, o2, o3, x")]
    [InlineData("""{"at":"30s","for":"2s","kind":"hang","orchestrator":"x"}""", "entry 2 (hang): x has no simulated GPU to hang; only kill and freeze act on it")]
    [InlineData("""{"at":"30s","for":"2s","kind":"errors","orchestrator":"o2","gpu":"o2-gpu7"}""", "entry 2 (errors): unknown target GPU 'o2-gpu7'; o2 has o2-gpu0")]
    [InlineData("""{"at":"30s","for":"2s","kind":"stall","orchestrator":"o2"}""", "entry 2 (stall): target o2 has no LLM GPU to stall")]
    [InlineData("""{"at":"30s","for":"2s","kind":"freeze","orchestrator":"o1","gpu":"o1-gpu0"}""", "entry 2 (freeze): a freeze acts on the orchestrator process")]
    [InlineData("""{"at":"10s","for":"2s","kind":"freeze","orchestrator":"o1"}""", "entry 2 (freeze): overlaps entry 1 (kill) on o1")]
    [InlineData("""{"at":"30s","for":"2s","kind":"slow","orchestrator":"o1","factor":3}""", "entry 2 (slow): unknown member 'factor'")]
    public void A_schedule_file_with_a_bad_entry_is_refused_naming_the_entry(string second, string message)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, $$"""{"faults":[{"at":"5s","for":"2s","kind":"kill","orchestrator":"o1"}, {{second}}]}""");

            Should.Throw<ChaosScheduleException>(() => ChaosSchedule.Load(file, Targets)).Message.ShouldContain(message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_chaos_command_refuses_a_bad_schedule_before_any_network_starts()
    {
        var topology = Path.Combine(AppContext.BaseDirectory, "topologies", "chaos.json");
        var schedule = Path.GetTempFileName();
        File.WriteAllText(schedule, """{"faults":[{"at":"5s","for":"2s","kind":"kill","orchestrator":"o7"}]}""");
        var launcher = new FakeLauncher(new Uri("http://127.0.0.1:9/"));
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            string[] args = ["chaos", "--topology", topology, "--schedule", schedule, "--out", Path.Combine(Path.GetTempPath(), "chaos-refused")];
            var code = await LoadTestCli.RunAsync(args, new CliContext { Args = args, Out = stdout, Error = stderr, Networks = launcher });

            code.ShouldBe(2);
            stderr.ToString().ShouldContain("entry 1 (kill): unknown target orchestrator 'o7'; the topology has o1, o2, o3, o4");
            launcher.Topologies.ShouldBeEmpty("nothing starts before the schedule is checked");
        }
        finally
        {
            File.Delete(schedule);
        }
    }

    [Fact]
    public void Wilson_interval_and_quantile_interval_bracket_the_estimate()
    {
        var (low, high) = ChaosStats.Wilson(999, 1000);
        low.ShouldBeInRange(0.994, 0.996);
        high.ShouldBeInRange(0.9998, 1.0);
        ChaosStats.Wilson(0, 0).Low.ShouldBe(double.NaN);

        var values = Enumerable.Range(1, 1000).Select(i => (double)i).ToList();
        var (value, qLow, qHigh) = ChaosStats.Quantile(values, 0.95);
        value.ShouldBe(950);
        qLow.ShouldBeInRange(930, 945);
        qHigh.ShouldBeInRange(955, 970);
    }

    [Fact]
    public void A_run_whose_load_generator_fell_behind_says_so_and_draws_no_conclusion_from_its_numbers()
    {
        var records = Enumerable.Range(0, 50).Select(i => new RequestRecord
        {
            Job = "text-to-image", Phase = "measure", IntendedMs = i * 100, SentMs = (i * 100) + 400, EndMs = (i * 100) + 900, Status = 200, Outcome = Outcomes.Ok,
            Orchestrator = "https://127.0.0.1:1", Attempts = 1, FeeWei = "10",
        }).ToList();
        var behind = Summary("chaos", records) with { GeneratorOverloaded = true, OverloadReason = "p99 send lag 400 ms (limit 100 ms)" };
        var findings = new ChaosFindings(
            new ChaosRun(Summary("no faults", records), records), new ChaosRun(behind, records), [], new Dictionary<string, OrchestratorTotals>(),
            new Dictionary<string, OrchestratorTotals>(), new Dictionary<string, (long, System.Numerics.BigInteger)>(), [], null, 0.2);

        var (sections, conclusions) = ChaosAnalysis.Analyse(findings);

        conclusions[0].ShouldContain("The load generator fell behind in 'chaos' (p99 send lag 400 ms (limit 100 ms))");
        conclusions[0].ShouldContain("not used for conclusions");
        conclusions.ShouldNotContain(c => c.Contains("accepted jobs finished within their deadline", StringComparison.Ordinal));
        sections[0].Rows[1].Last().ShouldStartWith("BEHIND");
    }

    [Theory]
    [InlineData(503, null, "503 every orchestrator for llm m is at capacity and 100 jobs already wait (Queue:MaxWaiting)", true)]
    [InlineData(503, 2, "503 every orchestrator for llm m stayed at capacity while this job waited 60 s; tried: https://127.0.0.1:1: Capacity returned 503: insufficient capacity; https://127.0.0.1:2: Capacity returned 503: insufficient capacity", true)]
    [InlineData(503, 2, "503 every orchestrator for llm m stayed at capacity while this job waited 60 s; tried: https://127.0.0.1:1: Capacity returned 503: insufficient capacity; https://127.0.0.1:2: Timeout no first token within 10 s", false)]
    [InlineData(503, 1, "503 no orchestrators available after 1 attempts; tried: https://127.0.0.1:1: Error An error occurred while sending the request.", false)]
    [InlineData(200, 1, "stream error: the orchestrator's stream broke", false)]
    public void A_failed_job_counts_as_refused_before_payment_only_when_no_orchestrator_read_its_tickets(int status, int? attempts, string error, bool refused)
    {
        var record = new RequestRecord { Job = "llm", Phase = "measure", Status = status, Outcome = Outcomes.Error, Attempts = attempts, Error = error };

        ChaosAnalysis.RefusedBeforePayment(record).ShouldBe(refused);
    }

    [Fact]
    public void Debits_must_match_delivered_jobs_to_the_wei_unless_jobs_answered_at_a_kill_explain_the_gap_exactly()
    {
        static OrchestratorTotals Delta(long debited, long served) => new("0x0000000000000000000000000000000000000001", 0, debited, 0, 0, 0, served, 0, 0, 0, 1);
        var delivered = new Dictionary<string, (long, System.Numerics.BigInteger)> { ["o1"] = (10, 1000) };
        IReadOnlyDictionary<string, IReadOnlyList<System.Numerics.BigInteger>> atKill = new Dictionary<string, IReadOnlyList<System.Numerics.BigInteger>> { ["o1"] = [70, 130] };

        LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(1000, 10) }, delivered).ShouldAllBe(c => c.Ok);

        var unread = LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(870, 9) }, delivered, atKill);
        unread.ShouldAllBe(c => c.Ok);
        unread[0].Detail.ShouldContain("1 job(s) finished in the instant between a kill's last reading and the SIGKILL");

        LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(900, 9) }, delivered, atKill)
            .ShouldContain(c => !c.Ok, "100 wei missing matches no job answered at the kill: a lost fee");
        LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(1070, 11) }, delivered, atKill)
            .ShouldAllBe(c => !c.Ok, "a debit without a delivered job is a charge for nothing, unless a job that failed at a kill explains it");
        var lost = LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(1070, 11) }, delivered, atKill, atKill);
        lost.ShouldAllBe(c => c.Ok);
        lost[0].Detail.ShouldContain("1 job(s) answered and debited an instant before a SIGKILL, the answer lost with the connection (70 wei paid for, not delivered)");
        LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(1100, 11) }, delivered, atKill, atKill)
            .ShouldAllBe(c => !c.Ok, "100 wei too many matches no job that failed at the kill");
        LedgerAudit.JobChecks(new Dictionary<string, OrchestratorTotals> { ["o1"] = Delta(870, 9) }, delivered)
            .ShouldAllBe(c => !c.Ok, "without a kill nothing excuses a missing debit");
    }

    private static RunSummary Summary(string label, IReadOnlyList<RequestRecord> records) => new()
    {
        Label = label,
        Scenario = "text-to-image",
        Mix = "text-to-image",
        Simulation = "poisson",
        LoadModel = "open",
        SendLag = Distribution.Of(records.Select(r => r.LagMs)),
        Slo = "",
        Overall = new GroupStats { Name = "all", Latency = Distribution.Of(records.Select(r => r.LatencyMs)), ServiceTime = Distribution.Empty, Ttft = Distribution.Empty, Itl = Distribution.Empty, Tpot = Distribution.Empty },
        ByJob = [],
        ByOrchestrator = [],
        Timeline = [],
    };
}
