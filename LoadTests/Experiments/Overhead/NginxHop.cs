using System.Diagnostics;
using System.Globalization;

namespace LivepeerAspire.LoadTests.Experiments.Overhead;

/// <summary>
/// nginx from the OS (Debian's package) as a one-hop reverse proxy, with upstream keep-alive, the way people
/// run it in front of an HTTP service. Absent when no nginx binary is installed.
/// </summary>
public static class NginxHop
{
    private static readonly string[] Candidates = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx"];

    public static string? Binary => Candidates.FirstOrDefault(File.Exists);

    public static async Task<ChildServer> StartAsync(string binary, Uri upstream, string folder, CancellationToken cancel)
    {
        var port = FreePort();
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var conf = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(conf, Config(port, upstream, folder), cancel);
        var start = new ProcessStartInfo(binary) { UseShellExecute = false };
        foreach (var a in new[] { "-p", folder, "-c", conf, "-g", "daemon off;" })
        {
            start.ArgumentList.Add(a);
        }

        return await ChildServer.StartOnPortAsync(start, new Uri($"http://127.0.0.1:{port}/"), $"nginx → {upstream}", cancel);
    }

    public static string Config(int port, Uri upstream, string folder) => string.Create(CultureInfo.InvariantCulture, $$"""
        worker_processes 1;
        pid {{Path.Combine(folder, "nginx.pid")}};
        error_log {{Path.Combine(folder, "logs", "error.log")}} warn;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path {{Path.Combine(folder, "body")}};
            proxy_temp_path {{Path.Combine(folder, "proxy")}};
            fastcgi_temp_path {{Path.Combine(folder, "fastcgi")}};
            uwsgi_temp_path {{Path.Combine(folder, "uwsgi")}};
            scgi_temp_path {{Path.Combine(folder, "scgi")}};
            client_max_body_size 64m;
            upstream runner { server {{upstream.Host}}:{{upstream.Port}}; keepalive 64; }
            server {
                listen 127.0.0.1:{{port}};
                location / {
                    proxy_pass http://runner;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_buffering off;
                    proxy_request_buffering off;
                }
            }
        }
        """);

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
