using Microsoft.Extensions.DependencyInjection;

namespace MlNetTransfer.Model;

/// <summary>Registers a trained model in an app's services (ASP.NET Core, generic host).</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="BatchingPredictor"/> for <paramref name="modelPath"/> (made on first use):
    /// inject it and <c>await predictor.PredictAsync(bytes)</c> from any number of requests at once.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddImageClassifier("model.zip");
    /// app.MapPost("/classify", async (HttpRequest request, BatchingPredictor predictor) =>
    /// {
    ///     using var body = new MemoryStream();
    ///     await request.Body.CopyToAsync(body);
    ///     var p = await predictor.PredictAsync(body.ToArray());
    ///     return Results.Ok(new { p.PredictedLabel, p.Confidence });
    /// });
    /// </code>
    /// </example>
    public static IServiceCollection AddImageClassifier(this IServiceCollection services, string modelPath, BatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return services.AddSingleton(_ => new BatchingPredictor(modelPath, options));
    }
}
