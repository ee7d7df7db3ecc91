using System.Globalization;

namespace LivepeerAspire.Runner.Simulated.Api;

/// <summary>
/// A multipart form read the FastAPI way: required files and fields, typed fields, and one 422 listing every
/// problem. Part content types and file names are ignored (the @livepeer/ai SDK sends "blob").
/// </summary>
public sealed class FormBody
{
    private readonly IFormCollection form;
    private readonly List<ValidationItem> problems = [];

    private FormBody(IFormCollection form) => this.form = form;

    public IReadOnlyList<ValidationItem> Problems => problems;

    public static async Task<FormBody> ReadAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
        {
            return new FormBody(FormCollection.Empty);
        }

        return new FormBody(await ctx.Request.ReadFormAsync(ctx.RequestAborted));
    }

    public IFormFile? File(string name, bool required = true)
    {
        var file = form.Files.GetFile(name);
        if (file is null && required)
        {
            problems.Add(new ValidationItem("missing", ["body", name], "Field required"));
        }

        return file;
    }

    public string? Text(string name, bool required = false)
    {
        if (form.TryGetValue(name, out var value))
        {
            return value.ToString();
        }

        if (required)
        {
            problems.Add(new ValidationItem("missing", ["body", name], "Field required"));
        }

        return null;
    }

    public int Int(string name, int fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add(new ValidationItem("int_parsing", ["body", name], "Input should be a valid integer, unable to parse string as an integer", text));
        return fallback;
    }

    public long? Long(string name)
    {
        var text = Text(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add(new ValidationItem("int_parsing", ["body", name], "Input should be a valid integer, unable to parse string as an integer", text));
        return null;
    }

    public double Double(string name, double fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add(new ValidationItem("float_parsing", ["body", name], "Input should be a valid number, unable to parse string as a number", text));
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on" or "t" or "y":
                return true;
            case "false" or "0" or "no" or "off" or "f" or "n":
                return false;
            default:
                problems.Add(new ValidationItem("bool_parsing", ["body", name], "Input should be a valid boolean, unable to interpret input", text));
                return fallback;
        }
    }

    /// <summary>Writes the 422 when anything was wrong; returns whether the caller must stop.</summary>
    public async Task<bool> RejectIfInvalidAsync(HttpContext ctx)
    {
        if (problems.Count == 0)
        {
            return false;
        }

        await RunnerResponses.Validation(ctx, problems);
        return true;
    }

    public static async Task<byte[]> BytesAsync(IFormFile file, CancellationToken ct)
    {
        using var buffer = new MemoryStream((int)Math.Min(file.Length, int.MaxValue));
        await file.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }
}
