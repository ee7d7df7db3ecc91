using System.ComponentModel;
using System.Globalization;

namespace LivepeerAspire.Protocol.Configuration;

/// <summary>
/// Teaches the configuration binder go-livepeer's value syntax: every TimeSpan option (and TimeSpan?) accepts Go
/// durations beside .NET's hh:mm:ss. The binder converts through TypeDescriptor, so one registration covers every
/// options class of the process.
/// </summary>
public static class ConfigurationValues
{
    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
        }
    }

    /// <summary>TimeSpan from a Go duration or hh:mm:ss; anything else is a <see cref="ConfigurationValueException"/>.</summary>
    public sealed class DurationConverter : TimeSpanConverter
    {
        public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        {
            if (value is not string text)
            {
                return base.ConvertFrom(context, culture, value);
            }

            return GoDuration.TryParse(text, out var duration)
                ? duration
                : throw new ConfigurationValueException(text, GoDuration.AcceptedForms);
        }
    }
}

/// <summary>A configuration value that cannot be read; the binder wraps it with the key.</summary>
public sealed class ConfigurationValueException(string value, string accepted)
    : FormatException($"'{value}' is not accepted; use {accepted}")
{
    public string Value { get; } = value;

    public string Accepted { get; } = accepted;
}
