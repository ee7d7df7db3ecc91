using System.Text.Json;
using LivepeerAspire.Protocol.Media;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pipelines.Contracts;

namespace LivepeerAspire.Orchestrator.Jobs;

/// <summary>
/// Reads a job body into the pipeline's contract (the same checks and units the gateway applied when it paid), so
/// what the orchestrator debits is what the gateway prepaid for the same request.
/// </summary>
public static class JobReader
{
    public static async Task<JobParse> ReadAsync(Pipeline pipeline, byte[] body, string? contentType, CancellationToken cancellationToken)
    {
        var contract = PipelineContract.For(pipeline);
        JobInput input;
        if (pipeline.BodyKind == RequestBodyKind.Json)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                return JobParse.Fail($"malformed JSON body: {e.Message}");
            }

            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return JobParse.Fail($"request body must be a JSON object for {pipeline.Name}");
                }

                input = JobInput.FromJson(doc.RootElement);
            }
        }
        else
        {
            var form = await MultipartJobReader.ReadAsync(pipeline.Name, body, contentType);
            if (form.Error is { } error)
            {
                return JobParse.Fail(error);
            }

            input = JobInput.FromForm(form.Fields, form.Files);
        }

        try
        {
            var model = input.String(contract.ModelField) ?? "";
            var units = await contract.MeasureAsync(input, model, cancellationToken);
            return JobParse.Ok(model, units.Paid);
        }
        catch (JobInputException e)
        {
            return JobParse.Fail(e.Message);
        }
        catch (MediaToolMissingException e)
        {
            return new JobParse(null, e.Message) { Status = StatusCodes.Status503ServiceUnavailable };
        }
    }
}
