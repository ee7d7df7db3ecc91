using System.ComponentModel;
using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace LivepeerAspire.Protocol.Media;

/// <summary>What an uploaded audio file holds: its container format, the seconds of audio in it, and what its container claims.</summary>
public readonly record struct AudioInfo(string Format, double Seconds, double ClaimedSeconds);

/// <summary>
/// Audio duration the way go-livepeer measures it: with ffmpeg's own demuxers (ffprobe, driven through FFMpegCore), so
/// WAV, MP3, FLAC, Ogg/Opus, M4A/AAC and whatever else ffmpeg reads are all measured by one tool. The seconds billed
/// are those of the decoded audio in the file, not the container's claim: a header that claims more than the
/// decoded audio holds (a truncated file, a lying WAV or FLAC header) is refused, so a file cannot be billed for audio it
/// does not contain. Both gateway and orchestrator call this, so both bill the same seconds.
/// </summary>
public static class AudioProbe
{
    /// <summary>How much longer than its decoded audio a container may claim to be before the file counts as lying (encoder padding).</summary>
    public const double ClaimTolerance = 0.02;

    private static readonly Lazy<string?> FfprobePath = new(FindFfprobe);

    /// <summary>Where ffprobe is, or null when it is not on PATH.</summary>
    public static string? Ffprobe => FfprobePath.Value;

    public static string MissingToolMessage =>
        "audio duration needs ffprobe (Debian package 'ffmpeg'), which is not on PATH; install it with apt-get install ffmpeg";

    public static async Task<AudioInfo> ReadAsync(string part, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.Length == 0)
        {
            throw new MediaException(part, "the file is empty");
        }

        var ffprobe = Ffprobe ?? throw new MediaToolMissingException(MissingToolMessage);
        var options = new FFOptions { BinaryFolder = Path.GetDirectoryName(ffprobe)! };
        var file = Path.Combine(Path.GetTempPath(), "lp-audio-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(file, data.ToArray(), cancellationToken).ConfigureAwait(false);
        try
        {
            IMediaAnalysis analysis;
            try
            {
                analysis = await FFProbe.AnalyseAsync(file, options, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is FFMpegException or FormatNullException or FFProbeException or InvalidOperationException or System.Text.Json.JsonException)
            {
                throw new MediaException(part, "not a readable audio file (ffprobe could not read it)");
            }
            catch (Win32Exception)
            {
                throw new MediaToolMissingException(MissingToolMessage);
            }

            if (analysis.PrimaryAudioStream is not { } stream)
            {
                throw new MediaException(part, $"no audio stream in the file (ffprobe found format '{analysis.Format.FormatName}')");
            }

            if (WavShortfall(data.Span) is { } shortfall)
            {
                throw new MediaException(part, shortfall);
            }

            var seconds = await DecodedSecondsAsync(ffprobe, file, stream.Index, cancellationToken).ConfigureAwait(false);
            if (seconds <= 0)
            {
                throw new MediaException(part, "the file holds no audio samples");
            }

            var claimed = analysis.Format.Duration.TotalSeconds;
            if (claimed > seconds * (1 + ClaimTolerance) + 0.1)
            {
                throw new MediaException(part, string.Create(CultureInfo.InvariantCulture,
                    $"the {analysis.Format.FormatName} header claims {claimed:0.###} s but the file holds {seconds:0.###} s of audio (truncated or a wrong header)"));
            }

            return new AudioInfo(analysis.Format.FormatName, seconds, claimed);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// ffmpeg reads a WAV whose data chunk declares more bytes than the file holds up to the end of the file and
    /// reports only what is there, so the lie is caught from the header itself. 0 and 0xFFFFFFFF mean "unknown
    /// length" (streamed WAV writers) and are accepted.
    /// </summary>
    private static string? WavShortfall(ReadOnlySpan<byte> d)
    {
        if (d.Length < 12 || !d[..4].SequenceEqual("RIFF"u8) || !d.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        var offset = 12;
        while (offset + 8 <= d.Length)
        {
            var size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(d[(offset + 4)..]);
            if (d.Slice(offset, 4).SequenceEqual("data"u8))
            {
                var held = d.Length - offset - 8;
                return size is 0 or uint.MaxValue || size <= held
                    ? null
                    : $"the WAV header declares {size} bytes of samples but the file holds {held} (truncated or a wrong header)";
            }

            offset += 8 + (int)Math.Min(size + (size & 1), int.MaxValue / 2);
        }

        return null;
    }

    /// <summary>
    /// Seconds of decoded audio: from the first frame's start to the last frame's end, counted in samples. Decoding
    /// (not packet timestamps) drops what encoders add and players skip: MP3's encoder delay and padding, AAC's
    /// priming, Opus's pre-skip. FFMpegCore's frame model lacks nb_samples, so ffprobe is asked directly here.
    /// </summary>
    private static async Task<double> DecodedSecondsAsync(string ffprobe, string file, int streamIndex, CancellationToken cancellationToken)
    {
        var info = new System.Diagnostics.ProcessStartInfo(ffprobe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-v", "error", "-select_streams", streamIndex.ToString(CultureInfo.InvariantCulture), "-show_entries", "frame=pts_time,nb_samples:stream=sample_rate", "-of", "csv=p=0", file })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info) ?? throw new MediaToolMissingException(MissingToolMessage);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        double? first = null;
        double lastStart = 0;
        long lastSamples = 0;
        double sampleRate = 0;
        while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var fields = line.Split(',');
            if (fields.Length == 1 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
            {
                sampleRate = rate;
            }
            else if (fields.Length >= 2 && TryTime(fields[0], out var pts) && long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var samples))
            {
                first ??= pts;
                if (pts >= lastStart)
                {
                    (lastStart, lastSamples) = (pts, samples);
                }
            }
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        return first is null || sampleRate <= 0 ? 0 : lastStart + (lastSamples / sampleRate) - first.Value;
    }

    /// <summary>FFMpegCore asks ffprobe for sexagesimal times ("0:00:01.036000"); plain seconds are read too.</summary>
    private static bool TryTime(string? text, out double seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':'))
        {
            var ok = TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var time);
            seconds = time.TotalSeconds;
            return ok;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && double.IsFinite(seconds);
    }

    private static string? FindFfprobe()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "ffprobe");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
