namespace MlNetTransfer.Cli.Serving;

/// <summary>Settings of <c>serve</c>.</summary>
internal sealed record ServeOptions
{
    public required string ModelPath { get; init; }
    /// <summary>Where to listen, e.g. http://127.0.0.1:5000 (several separated by ';').</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";
    public Model.BatchingOptions Batching { get; init; } = new();
    /// <summary>Largest request body; larger requests get 413.</summary>
    public long MaxBodyBytes { get; init; } = 20L * 1024 * 1024;
    /// <summary>The bearer token <c>POST /predict</c> requires; null: none (the command sets one unless bound to loopback only).</summary>
    public string? ApiKey { get; init; }
}
