using LivepeerAspire.Protocol.AiModels;
using LivepeerAspire.Protocol.Pipelines;
using LivepeerAspire.Protocol.Pricing;

namespace LivepeerAspire.Orchestrator.Models;

/// <summary>One validated aiModels.json entry: its runner and its price in wei per unit.</summary>
public sealed record ModelEntry(
    int Index,
    Pipeline Pipeline,
    string ModelId,
    Uri RunnerUrl,
    string? Token,
    bool Warm,
    int Capacity,
    BigRational WeiPerUnit,
    bool Priced,
    string Gateway,
    AiModelConfig Source);
