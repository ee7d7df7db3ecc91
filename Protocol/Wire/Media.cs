namespace LivepeerAspire.Protocol.Wire;

/// <summary>An image or video frame: a data URL (runner) or a URL on the gateway.</summary>
public sealed record Media(string Url, long Seed, bool Nsfw);

public sealed record ImageResponse(List<Media> Images);

/// <summary>The runner's image-to-video answer: batches of frames. The gateway answers an <see cref="ImageResponse"/>.</summary>
public sealed record VideoResponse(List<List<Media>> Frames);

public sealed record TextChunk(double[] Timestamp, string Text);

public sealed record TextResponse(string Text, List<TextChunk> Chunks);

/// <summary>segment-anything-2: masks, scores and logits as stringified lists, as the runner sends them.</summary>
public sealed record MasksResponse(string Masks, string Scores, string Logits);

public sealed record ImageToTextResponse(string Text);

public sealed record AudioUrl(string Url);

public sealed record AudioResponse(AudioUrl Audio);
