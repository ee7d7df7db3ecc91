using Google.Protobuf;
using LivepeerAspire.Orchestrator.Models;
using LivepeerAspire.Orchestrator.Payments;
using LivepeerAspire.Protocol.Net;
using LivepeerAspire.Protocol.Pricing;
using Microsoft.Extensions.Options;

namespace LivepeerAspire.Orchestrator.Discovery;

/// <summary>
/// Builds OrchestratorInfo as go-livepeer's orchestratorInfoWithCaps does. A request that carries
/// capabilities (AI discovery) gets price_info = the sum of this orchestrator's prices for the requested
/// (capability, model) pairs, and no hardware or capabilities_prices; a request without (a periodic poll)
/// gets capabilities_prices in whole wei per unit and the runners' hardware.
/// </summary>
public sealed class OrchestratorInfoBuilder(
    ModelCatalog catalog,
    AuthTokenIssuer tokens,
    ITicketParamsSource ticketParams,
    IOptions<OrchestratorOptions> options)
{
    public OrchestratorInfo Build(OrchestratorRequest request, string serviceUri)
    {
        var gateway = request.Address.Length == 20 ? "0x" + Convert.ToHexStringLower(request.Address.Span) : null;
        var info = new OrchestratorInfo
        {
            Transcoder = serviceUri,
            Address = ByteString.CopyFrom(ticketParams.Address.Span),
            Capabilities = CapabilitiesBuilder.Build(catalog, options.Value.Version),
            AuthToken = tokens.Issue(),
        };

        if (HasCapabilities(request.Capabilities))
        {
            // Each price fits a PriceInfo (the loader caps them at 1 ETH per unit), but a sum over many models may not.
            info.PriceInfo = PriceInfos.ToPriceInfo(PriceInfos.CapAtMax(PriceForCapabilities(request.Capabilities, gateway)));
        }
        else
        {
            info.PriceInfo = PriceInfos.ToPriceInfo(BigRational.Zero);
            foreach (var model in catalog.Models)
            {
                if (model.PriceFor(gateway) is not { } price)
                {
                    continue;
                }

                info.CapabilitiesPrices.Add(PriceInfos.ToWholeWeiPriceInfo(price, model.Pipeline.CapabilityId, model.ModelId));
            }

            foreach (var runner in catalog.Runners.Where(r => r.Hardware is not null))
            {
                info.Hardware.Add(ToProto(runner.Hardware!));
            }
        }

        var tickets = ticketParams.GetTicketParams(request.Address.Memory, info.PriceInfo);
        if (tickets is not null)
        {
            info.TicketParams = tickets;
        }

        return info;
    }

    /// <summary>Sum over requested (cap, model) pairs whose cap is also in the request's capacities, as PriceInfoForCaps.</summary>
    public BigRational PriceForCapabilities(Capabilities requested, string? gateway)
    {
        var sum = BigRational.Zero;
        if (requested.Constraints is null)
        {
            return sum;
        }

        foreach (var (capability, constraints) in requested.Constraints.PerCapability)
        {
            if (!requested.Capacities.ContainsKey(capability))
            {
                continue;
            }

            foreach (var modelId in constraints.Models.Keys)
            {
                var model = catalog.Models.FirstOrDefault(m => m.Pipeline.CapabilityId == capability && m.ModelId == modelId);
                if (model?.PriceFor(gateway) is { } price)
                {
                    sum += price;
                }
            }
        }

        return sum;
    }

    private static bool HasCapabilities(Capabilities? caps) =>
        caps is not null && (caps.Bitstring.Any(w => w != 0) || caps.Capacities.Count > 0 || caps.Constraints?.PerCapability.Count > 0);

    private static HardwareInformation ToProto(Protocol.Wire.HardwareInformation hardware)
    {
        var proto = new HardwareInformation { Pipeline = hardware.Pipeline ?? "", ModelId = hardware.ModelId ?? "" };
        foreach (var (key, gpu) in hardware.GpuInfo)
        {
            proto.GpuInfo[key] = new GPUComputeInfo
            {
                Id = gpu.Id ?? "",
                Name = gpu.Name ?? "",
                Major = (uint)Math.Max(0, gpu.Major),
                Minor = (uint)Math.Max(0, gpu.Minor),
                MemoryFree = gpu.MemoryFree,
                MemoryTotal = gpu.MemoryTotal,
            };
        }

        return proto;
    }
}
