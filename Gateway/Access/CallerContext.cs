namespace LivepeerAspire.Gateway.Access;

/// <summary>
/// The key a request came with, for the code the request runs (the payment seam, the job's usage row), also in a
/// background image-to-video job started from it: an <see cref="AsyncLocal{T}"/> flows with the execution context.
/// </summary>
public static class CallerContext
{
    private static readonly AsyncLocal<AccessKey?> Key = new();

    public static AccessKey? Current
    {
        get => Key.Value;
        set => Key.Value = value;
    }
}
