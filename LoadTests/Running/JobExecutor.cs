using System.Text.Json;
using LivepeerAspire.LoadTests.Jobs;

namespace LivepeerAspire.LoadTests.Running;

/// <summary>
/// Sends one job and measures it: status, Livepeer headers, and for streamed LLM jobs the first content chunk
/// and the gaps between chunks. Never throws for anything the target does; every outcome becomes a record.
/// </summary>
public sealed class JobExecutor(HttpClient http, TimeProvider time)
{
    public async Task<RequestRecord> ExecuteAsync(
        PlannedRequest planned,
        HttpRequestMessage request,
        long runStart,
        TimeSpan? intended,
        string phase,
        TimeSpan timeout,
        CancellationToken runStop)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, runStop);
        var ct = linked.Token;
        var sent = Ms(time.GetElapsedTime(runStart));
        var status = 0;
        var orchestrator = "";
        int? attempts = null;
        var fee = "";
        double? ttft = null;
        int? tokens = null;
        var itl = new List<double>();
        var intendedMs = intended is { } due ? Ms(due) : sent; // closed model: intended = actual send

        RequestRecord Finish(string outcome, string error) => new()
        {
            Index = planned.Index,
            Job = planned.Kind.Name(),
            Phase = phase,
            IntendedMs = intendedMs,
            SentMs = sent,
            EndMs = Ms(time.GetElapsedTime(runStart)),
            Status = status,
            Outcome = outcome,
            TtftMs = ttft,
            ItlMs = itl,
            Tokens = tokens,
            Orchestrator = orchestrator,
            Attempts = attempts,
            FeeWei = fee,
            Error = error,
        };

        try
        {
            using (request)
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct))
            {
                status = (int)response.StatusCode;
                orchestrator = Header(response, "Livepeer-Orchestrator");
                attempts = int.TryParse(Header(response, "Livepeer-Attempts"), out var a) ? a : null;
                fee = Header(response, "Livepeer-Fee");
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    return Finish(Outcomes.Error, $"{status} {ErrorMessage(body)}");
                }

                var isStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
                if (planned.Kind == JobKind.LlmStream && isStream)
                {
                    var streamError = await ReadStreamAsync(response, runStart, intendedMs, ct, t => ttft ??= t, itl, n => tokens = n);
                    return streamError is null ? Finish(Outcomes.Ok, "") : Finish(Outcomes.Error, streamError);
                }

                var text = await response.Content.ReadAsStringAsync(ct);
                if (planned.Kind == JobKind.LlmStream)
                {
                    return Finish(Outcomes.Error, $"expected text/event-stream, got {response.Content.Headers.ContentType?.MediaType ?? "no content type"}");
                }

                if (planned.Kind == JobKind.Llm)
                {
                    tokens = CompletionTokens(text);
                }

                return Finish(Outcomes.Ok, "");
            }
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested)
        {
            return Finish(Outcomes.Timeout, $"no complete answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (OperationCanceledException) when (runStop.IsCancellationRequested)
        {
            return Finish(Outcomes.Timeout, "still in flight at the end of the run");
        }
        catch (HttpRequestException e)
        {
            return Finish(Outcomes.Error, $"transport: {e.HttpRequestError}");
        }
        catch (IOException e)
        {
            return Finish(Outcomes.Error, $"transport: {e.Message}");
        }
        catch (JsonException e)
        {
            return Finish(Outcomes.Error, $"unreadable stream chunk: {e.Message}");
        }
    }

    private async Task<string?> ReadStreamAsync(
        HttpResponseMessage response,
        long runStart,
        double intendedMs,
        CancellationToken ct,
        Action<double> firstToken,
        List<double> itl,
        Action<int> setTokens)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        double? last = null;
        var chunks = 0;
        int? usageTokens = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var payload = line[5..].Trim();
            if (payload == "[DONE]")
            {
                break;
            }

            var now = Ms(time.GetElapsedTime(runStart));
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var err))
            {
                setTokens(usageTokens ?? chunks);
                return $"stream error: {(err.ValueKind == JsonValueKind.String ? err.GetString() : err.ToString())}";
            }

            if (root.TryGetProperty("usage", out var usage) && usage.TryGetProperty("completion_tokens", out var ctok) && ctok.TryGetInt32(out var n))
            {
                usageTokens = n;
            }

            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                continue;
            }

            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 })
            {
                chunks++;
                if (last is null)
                {
                    firstToken(now - intendedMs);
                }
                else
                {
                    itl.Add(now - last.Value);
                }

                last = now;
            }

            if (choice.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String && fr.GetString() is { Length: > 0 })
            {
                setTokens(usageTokens ?? chunks);
                return null;
            }
        }

        setTokens(usageTokens ?? chunks);
        return "stream ended without a finish_reason";
    }

    private static int? CompletionTokens(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("usage", out var u) && u.TryGetProperty("completion_tokens", out var t) && t.TryGetInt32(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The message of a Livepeer <c>{"detail":{"msg"}}</c> or OpenAI <c>{"error":{"message"}}</c> body.</summary>
    internal static string ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("msg", out var msg))
            {
                return msg.GetString() ?? "";
            }

            if (root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m))
            {
                return m.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
        }

        var trimmed = body.Trim();
        return trimmed.Length > 120 ? trimmed[..120] : trimmed;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static double Ms(TimeSpan t) => t.TotalMilliseconds;
}
