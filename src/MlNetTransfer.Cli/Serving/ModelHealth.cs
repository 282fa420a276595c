using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>
/// <c>GET /healthz</c> through ASP.NET Core's health checks: Healthy while the model file on disk is the one served;
/// Degraded (still 200: the old model answers) when a replaced file failed to load.
/// </summary>
internal sealed class ModelHealthCheck(BatchingPredictor predictor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(predictor.ReloadProblem is { } problem
            ? HealthCheckResult.Degraded($"The replaced model file did not load, so the model before it goes on serving. {problem}")
            : HealthCheckResult.Healthy());
}

/// <summary>The answer of <c>GET /healthz</c>: the status and the live model (its SHA-256 and when it was loaded).</summary>
internal sealed record HealthAnswer(string Status, HealthAnswer.LiveModel Model, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Problem)
{
    internal sealed record LiveModel(string Path, string Sha256, DateTimeOffset LoadedAt, IReadOnlyList<string> Classes);

    /// <summary>The health checks' response writer: this record as JSON.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var model = context.RequestServices.GetRequiredService<BatchingPredictor>().Model;
        var answer = new HealthAnswer(report.Status.ToString(), new LiveModel(model.Path, model.Sha256, model.LoadedAt, model.Classes),
            report.Entries.Values.Select(e => e.Description).FirstOrDefault(d => d is not null));
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return context.Response.WriteAsJsonAsync(answer, json, context.RequestAborted);
    }
}
