using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Tls;

/// <summary>
/// The certificate an https:// endpoint presents: self-signed ECDSA P-256, generated at first start and kept as
/// cert.pem / key.pem in Orchestrator:DataDir, as go-livepeer keeps its own in -datadir. Gateways do not verify it
/// (go-livepeer's gateway dials with InsecureSkipVerify), so it only has to exist and stay the same across restarts.
/// Without a DataDir the certificate lives in memory and changes at every start.
/// </summary>
internal sealed class ServiceCertificate(IOptions<OrchestratorOptions> options, TimeProvider time, ILogger<ServiceCertificate> logger)
{
    public const string CertFileName = "cert.pem";
    public const string KeyFileName = "key.pem";

    private readonly Lazy<X509Certificate2> certificate = new(() => LoadOrCreate(options.Value, time, logger));

    public X509Certificate2 Certificate => certificate.Value;

    private static X509Certificate2 LoadOrCreate(OrchestratorOptions options, TimeProvider time, ILogger logger)
    {
        var dataDir = options.DataDir;
        if (string.IsNullOrWhiteSpace(dataDir))
        {
            logger.LogWarning("https endpoint without Orchestrator:DataDir: using a self-signed certificate that is not kept across restarts");
            return Create(options, time);
        }

        var certPath = Path.Combine(dataDir, CertFileName);
        var keyPath = Path.Combine(dataDir, KeyFileName);
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            try
            {
                var loaded = Exportable(X509Certificate2.CreateFromPemFile(certPath, keyPath));
                logger.LogInformation("TLS certificate {Thumbprint} from {Path}", loaded.Thumbprint, certPath);
                return loaded;
            }
            catch (CryptographicException e)
            {
                throw new InvalidOperationException($"cannot load the TLS certificate {certPath} with key {keyPath}: {e.Message} (delete both files to have new ones generated)", e);
            }
        }

        var created = Create(options, time);
        Directory.CreateDirectory(dataDir);
        File.WriteAllText(certPath, created.ExportCertificatePem());
        File.WriteAllText(keyPath, created.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        logger.LogInformation("TLS certificate {Thumbprint} generated into {Path}", created.Thumbprint, certPath);
        return created;
    }

    private static X509Certificate2 Create(OrchestratorOptions options, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={options.Name}, O=LivepeerAspire", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        if (Uri.TryCreate(options.ServiceUri, UriKind.Absolute, out var service) && service.Host is { Length: > 0 } host && host != "localhost")
        {
            if (IPAddress.TryParse(service.Host.Trim('[', ']'), out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // A CA flag lets clients that do verify pin this certificate as its own root (it is its own issuer).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        var now = time.GetUtcNow();
        return Exportable(request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1)));
    }

    // SslStream on Linux wants a certificate whose key came through PKCS#12 rather than an ephemeral PEM key.
    private static X509Certificate2 Exportable(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
