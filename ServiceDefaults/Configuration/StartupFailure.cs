using System.Text.RegularExpressions;
using LivepeerAspire.Protocol.Configuration;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.ServiceDefaults.Configuration;

/// <summary>
/// Runs a service and turns a configuration it cannot read into one line on stderr (key, value, what is accepted)
/// and exit code 2, instead of an unhandled exception and a stack trace. Process supervisors treat exit 2 as a
/// configuration failure that a restart will not fix.
/// </summary>
public static partial class StartupFailure
{
    public const int ConfigurationExitCode = 2;

    public static int Run(string service, Func<int> body)
    {
        ConfigurationValues.Register();
        try
        {
            return body();
        }
        catch (Exception e) when (TryDescribe(e, out var line))
        {
            Console.Error.WriteLine($"{service}: refusing to start: {line}");
            return ConfigurationExitCode;
        }
    }

    /// <summary>The one-line reason when <paramref name="e"/> (or an exception inside it) is a configuration failure.</summary>
    public static bool TryDescribe(Exception e, out string line)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case OptionsValidationException validation:
                    line = "invalid configuration: " + string.Join("; ", validation.Failures);
                    return true;
                case InvalidOperationException binding when BindingFailure().Match(binding.Message) is { Success: true } m:
                    line = Describe(m.Groups["key"].Value, m.Groups["value"].Value, m.Groups["type"].Value, binding.InnerException);
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return TryDescribe(aggregate.InnerExceptions[0], out line);
            }
        }

        line = "";
        return false;
    }

    private static string Describe(string key, string value, string type, Exception? inner)
    {
        var env = key.Replace(":", "__", StringComparison.Ordinal);
        var accepted = inner is ConfigurationValueException v ? v.Accepted : AcceptedFor(type);
        return $"{key} ({env}) = '{value}' cannot be read; use {accepted}";
    }

    private static string AcceptedFor(string type) => (NullableOf().Match(type) is { Success: true } m ? m.Groups["type"].Value : type) switch
    {
        "System.Double" or "System.Single" or "System.Decimal" => "a number such as 0.5",
        "System.Int32" or "System.Int64" or "System.UInt32" or "System.UInt64" => "a whole number",
        "System.Boolean" => "true or false",
        _ => $"a value of type {type}",
    };

    // Microsoft.Extensions.Configuration.Binder: "Failed to convert configuration value [''] at 'Section:Key' to type 'T'."
    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[(?<type>[^,\]]+)")]
    private static partial Regex NullableOf();
}
