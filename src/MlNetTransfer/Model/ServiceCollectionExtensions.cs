using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlNetTransfer.Model;

/// <summary>Registers a trained model in an app's services (ASP.NET Core, generic host).</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="BatchingPredictor"/> for <paramref name="modelPath"/> (made on first use):
    /// inject it and <c>await predictor.PredictAsync(bytes)</c> from any number of requests at once. It reloads the
    /// model when its file is replaced (unless <see cref="BatchingOptions.ReloadOnChange"/> is false) and reports
    /// loads and failed reloads to the app's <see cref="ILogger{TCategoryName}"/>, where logging is set up.
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
        return services.AddSingleton(provider => new BatchingPredictor(modelPath, options, provider.GetService<ILogger<BatchingPredictor>>()));
    }
}
