using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>
/// The model behind HTTP: <c>POST /predict</c> (an image's bytes, or one file of a form → the label and every class's
/// probability), <c>GET /</c> (a page to try it), <c>GET /healthz</c> and <c>GET /openapi.json</c>. Requests are
/// batched by <see cref="BatchingPredictor"/>; bad input gets a 4xx with a JSON problem naming the reason.
/// </summary>
internal static class ServeApp
{
    public static WebApplication Build(ServeOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxBodyBytes);
        builder.Services.AddImageClassifier(options.ModelPath, options.Batching);
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var predictor = app.Services.GetRequiredService<BatchingPredictor>(); // load the model now, not on the first request
        string page = TryPage.Html(predictor.Model, askForKey: options.ApiKey is not null), openApi = OpenApiDocument.Json(predictor.Model);
        if (options.ApiKey is { } key)
            app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/predict") && !HasKey(context.Request, key))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await ImageUpload.Problem(401, "Unauthorized", "Send the server's API key as 'Authorization: Bearer KEY'.").ExecuteAsync(context);
                    return;
                }
                await next(context);
            });

        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/healthz", () => Results.Json(new JsonObject { ["status"] = "ok" }));
        app.MapGet("/openapi.json", () => Results.Content(openApi, "application/json"));
        app.MapPost("/predict", async (HttpRequest request, CancellationToken cancel) =>
        {
            var (image, problem) = await ImageUpload.ReadAsync(request, options.Batching.MaxPixels, cancel);
            if (problem is not null) return problem;
            try
            {
                return Results.Json(Answer(await predictor.PredictAsync(image!, "upload", cancel), predictor.Model.Classes));
            }
            catch (InvalidDataException e) // passed the header check, failed to decode
            {
                return ImageUpload.Problem(422, "Damaged image", e.Message);
            }
        });
        return app;
    }

    // Compared in constant time: the answer's timing says nothing about how much of a guess was right.
    private static bool HasKey(HttpRequest request, string key)
    {
        string header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), System.Text.Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The answer's JSON: the label, then each class's probability in the model's class order.</summary>
    public static JsonObject Answer(Prediction prediction, IReadOnlyList<string> classes)
    {
        var scores = new JsonObject();
        for (int i = 0; i < classes.Count; i++) scores[classes[i]] = prediction.Scores[i];
        return new JsonObject { ["predictedLabel"] = prediction.PredictedLabel, ["scores"] = scores, ["unknown"] = prediction.Unknown, ["novelty"] = prediction.Novelty };
    }
}
