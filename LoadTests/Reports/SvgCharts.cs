using System.Globalization;
using System.Net;
using System.Text;

namespace LivepeerAspire.LoadTests.Reports;

/// <summary>Hand-drawn inline SVG charts (no scripts, fonts or external resources).</summary>
public static class SvgCharts
{
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private const int Width = 760;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 36;

    /// <summary>Vertical bars: one group per category, one bar per series (e.g. p50/p95/p99 per run).</summary>
    public static string GroupedBars(string title, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, string unit)
    {
        const int height = 320;
        const int bottom = 80;
        var sb = Open(title, height);
        var max = series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        var (top, step) = NiceScale(max);
        var plotH = height - Top - bottom;
        YAxis(sb, top, step, plotH, unit);
        var plotW = Width - Left - Right;
        var groupW = categories.Count == 0 ? plotW : (double)plotW / categories.Count;
        var barW = Math.Max(2, (groupW * 0.8) / Math.Max(1, series.Count));
        for (var c = 0; c < categories.Count; c++)
        {
            var gx = Left + (c * groupW) + (groupW * 0.1);
            for (var s = 0; s < series.Count; s++)
            {
                var v = series[s].Values[c];
                if (!double.IsFinite(v))
                {
                    continue;
                }

                var h = top > 0 ? v / top * plotH : 0;
                var x = gx + (s * barW);
                sb.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{Top + plotH - h:0.#}\" width=\"{barW - 1:0.#}\" height=\"{h:0.#}\" fill=\"{Palette[s % Palette.Length]}\"><title>{E(categories[c])} {E(series[s].Name)}: {Fmt.Num(v)} {E(unit)}</title></rect>"));
            }

            sb.Append(Inv($"<text x=\"{gx + (groupW * 0.4):0.#}\" y=\"{Top + plotH + 14}\" font-size=\"11\" text-anchor=\"end\" transform=\"rotate(-25 {gx + (groupW * 0.4):0.#} {Top + plotH + 14})\">{E(Short(categories[c]))}</text>"));
        }

        Legend(sb, series.Select(s => s.Name).ToList(), height - 14);
        return Close(sb);
    }

    /// <summary>Lines over a shared x axis (e.g. p99 latency per second of the run, one line per run).</summary>
    public static string Lines(string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> lines, string xLabel, string unit)
    {
        const int height = 300;
        const int bottom = 60;
        var sb = Open(title, height);
        var pts = lines.SelectMany(l => l.Points).Where(p => double.IsFinite(p.Y)).ToList();
        var (top, step) = NiceScale(pts.Select(p => p.Y).DefaultIfEmpty(0).Max());
        var minX = pts.Select(p => p.X).DefaultIfEmpty(0).Min();
        var maxX = pts.Select(p => p.X).DefaultIfEmpty(1).Max();
        if (maxX <= minX)
        {
            maxX = minX + 1;
        }

        var plotH = height - Top - bottom;
        var plotW = Width - Left - Right;
        YAxis(sb, top, step, plotH, unit);
        for (var i = 0; i <= 5; i++)
        {
            var xv = minX + ((maxX - minX) * i / 5);
            var x = Left + (plotW * i / 5.0);
            sb.Append(Inv($"<text x=\"{x:0.#}\" y=\"{Top + plotH + 14}\" font-size=\"11\" text-anchor=\"middle\">{Fmt.Num(xv)}</text>"));
        }

        sb.Append(Inv($"<text x=\"{Left + (plotW / 2)}\" y=\"{Top + plotH + 30}\" font-size=\"11\" text-anchor=\"middle\">{E(xLabel)}</text>"));
        for (var l = 0; l < lines.Count; l++)
        {
            var path = new StringBuilder();
            var pen = 'M';
            foreach (var (xv, yv) in lines[l].Points)
            {
                if (!double.IsFinite(yv))
                {
                    pen = 'M';
                    continue;
                }

                var x = Left + ((xv - minX) / (maxX - minX) * plotW);
                var y = Top + plotH - (top > 0 ? yv / top * plotH : 0);
                path.Append(Inv($"{pen}{x:0.#},{y:0.#} "));
                pen = 'L';
            }

            sb.Append(Inv($"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"{Palette[l % Palette.Length]}\" stroke-width=\"1.6\"><title>{E(lines[l].Name)}</title></path>"));
        }

        Legend(sb, lines.Select(l => l.Name).ToList(), height - 12);
        return Close(sb);
    }

    /// <summary>Horizontal 100 % stacked bars, one per category (e.g. share per orchestrator, ok vs timeout per run).</summary>
    public static string StackedBars(string title, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> segments)
    {
        const int rowH = 26;
        var labelW = 190;
        var height = Top + (categories.Count * rowH) + 50;
        var sb = Open(title, height);
        var plotW = Width - labelW - Right;
        for (var c = 0; c < categories.Count; c++)
        {
            var y = Top + (c * rowH);
            var total = segments.Sum(s => double.IsFinite(s.Values[c]) ? s.Values[c] : 0);
            sb.Append(Inv($"<text x=\"{labelW - 6}\" y=\"{y + 16}\" font-size=\"11\" text-anchor=\"end\">{E(Short(categories[c]))}</text>"));
            var x = (double)labelW;
            for (var s = 0; s < segments.Count; s++)
            {
                var v = segments[s].Values[c];
                if (total <= 0 || !double.IsFinite(v) || v <= 0)
                {
                    continue;
                }

                var w = v / total * plotW;
                sb.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"{rowH - 6}\" fill=\"{Palette[s % Palette.Length]}\"><title>{E(categories[c])} {E(segments[s].Name)}: {Fmt.Num(v)} ({Fmt.Pct(v / total)})</title></rect>"));
                if (w > 34)
                {
                    sb.Append(Inv($"<text x=\"{x + (w / 2):0.#}\" y=\"{y + 17}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\">{Fmt.Pct(v / total)}</text>"));
                }

                x += w;
            }
        }

        Legend(sb, segments.Select(s => s.Name).ToList(), height - 12);
        return Close(sb);
    }

    private static StringBuilder Open(string title, int height)
    {
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" font-family=\"sans-serif\">"));
        sb.Append($"<title>{E(title)}</title>");
        sb.Append(Inv($"<text x=\"{Width / 2}\" y=\"20\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\">{E(title)}</text>"));
        return sb;
    }

    private static string Close(StringBuilder sb) => sb.Append("</svg>").ToString();

    private static void YAxis(StringBuilder sb, double top, double step, int plotH, string unit)
    {
        for (var v = 0.0; v <= top + (step / 2); v += step)
        {
            var y = Top + plotH - (top > 0 ? v / top * plotH : 0);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{Fmt.Num(v)}</text>"));
        }

        sb.Append(Inv($"<text x=\"14\" y=\"{Top + (plotH / 2)}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + (plotH / 2)})\">{E(unit)}</text>"));
    }

    private static void Legend(StringBuilder sb, IReadOnlyList<string> names, int y)
    {
        var x = (double)Left;
        for (var i = 0; i < names.Count; i++)
        {
            sb.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{y - 9}\" width=\"10\" height=\"10\" fill=\"{Palette[i % Palette.Length]}\"/>"));
            sb.Append(Inv($"<text x=\"{x + 14:0.#}\" y=\"{y}\" font-size=\"11\">{E(Short(names[i]))}</text>"));
            x += 24 + (Math.Min(names[i].Length, 28) * 6.2);
        }
    }

    /// <summary>A round axis maximum and tick step covering <paramref name="max"/>.</summary>
    internal static (double Top, double Step) NiceScale(double max)
    {
        if (!(max > 0) || !double.IsFinite(max))
        {
            return (1, 0.2);
        }

        var raw = max / 5;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        return (Math.Ceiling(max / step) * step, step);
    }

    private static string Short(string s) => s.Length > 32 ? s[..31] + "…" : s;

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
