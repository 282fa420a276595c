using Microsoft.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>
/// The model behind HTTP: <c>POST /predict</c> (an image's bytes, or one file of a form → the label and every class's
/// probability), <c>POST /explain</c> (the same input → where the model looked, as a PNG), <c>GET /</c> (a page to try it), <c>GET /healthz</c> (ASP.NET Core's health checks, naming the live
/// model) and <c>GET /openapi.json</c> (ASP.NET Core's OpenAPI generator). Requests are batched by
/// <see cref="BatchingPredictor"/>, which reloads the model when its file is replaced; bad input gets a 4xx with a JSON
/// problem naming the reason.
/// </summary>
internal static class ServeApp
{
    public static WebApplication Build(ServeOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The model's loads and failed reloads (and the host's errors) on stderr, one line each: stdout carries the
        // lines scripts read (the generated key, the address).
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "yyyy-MM-dd HH:mm:ss "; });
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter((category, level) => level >= (category?.StartsWith("MlNetTransfer", StringComparison.Ordinal) == true ? LogLevel.Information : LogLevel.Error));
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxBodyBytes);
        builder.Services.AddImageClassifier(options.ModelPath, options.Batching);
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck<ModelHealthCheck>("model");
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, context, _) =>
        {
            var model = context.ApplicationServices.GetRequiredService<BatchingPredictor>().Model;
            document.Info.Title = $"MlNetTransfer image classifier ({model.File.Info.Backbone})";
            document.Info.Version = IO.PackageVersion.Of(typeof(ModelFile));
            document.Info.Description = $"Classes: {string.Join(", ", model.Classes)} (model sha256 {model.Sha256}).";
            if (options.ApiKey is not null) RequireTheKey(document);
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        var predictor = app.Services.GetRequiredService<BatchingPredictor>(); // load the model now, not on the first request
        if (options.ApiKey is { } key)
            app.Use(async (context, next) =>
            {
                if ((context.Request.Path.StartsWithSegments("/predict") || context.Request.Path.StartsWithSegments("/explain")) && !HasKey(context.Request, key))
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await ImageUpload.Problem(401, "Unauthorized", "Send the server's API key as 'Authorization: Bearer KEY'.").ExecuteAsync(context);
                    return;
                }
                await next(context);
            });

        bool askForKey = options.ApiKey is not null;
        app.MapGet("/", () => TypedResults.Content(TryPage.Html(predictor.Model.File, askForKey), "text/html; charset=utf-8"))
            .WithSummary("A page to try the model.").Produces(200, contentType: "text/html");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = HealthAnswer.WriteAsync });
        app.MapOpenApi("/openapi.json");
        app.MapPost("/predict", (HttpRequest request, CancellationToken cancel) =>
            ImageUpload.AnswerAsync(request, options.Batching.MaxPixels, async image =>
            {
                var (prediction, model) = await predictor.PredictWithModelAsync(image, "upload", cancel);
                return TypedResults.Ok(PredictionAnswer.From(prediction, model.Classes));
            }, cancel))
            .WithSummary("Classify one image: its bytes as the body (any content type), or one file of a multipart form.")
            .TakesAnImage();
        app.MapPost("/explain", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (HttpRequest request, CancellationToken cancel) =>
        {
            try
            {
                return await ImageUpload.AnswerAsync(request, options.Batching.MaxPixels, async image =>
                {
                    var explanation = await predictor.ExplainAsync(image, "upload", cancel);
                    request.HttpContext.Response.Headers["X-Predicted-Label"] = Uri.EscapeDataString(explanation.Prediction.PredictedLabel);
                    return TypedResults.File(explanation.OverlayPng, "image/png");
                }, cancel);
            }
            catch (MlNetTransferException e) // a custom backbone without a convolutional map before its features
            {
                return ImageUpload.Problem(501, "Cannot explain this model", e.Message);
            }
        })
            .WithSummary("Where the model looked for its answer (Grad-CAM): the network's view of the image with a heatmap over it, as a PNG; the label in X-Predicted-Label.")
            .TakesAnImage()
            .Produces(200, contentType: "image/png").ProducesProblem(501);
        return app;
    }

    // Clients generated from /openapi.json send the key: the bearer scheme, required by the two endpoints that check it.
    private static void RequireTheKey(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The server's API key (--api-key, $MLNETTRANSFER_API_KEY, or the one it printed at start).",
        };
        foreach (var (path, item) in document.Paths)
            if (path is "/predict" or "/explain" && item.Operations is { } operations)
                foreach (var operation in operations.Values)
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
    }

    private const string BearerScheme = "bearer";

    // Compared in constant time: the answer's timing says nothing about how much of a guess was right.
    private static bool HasKey(HttpRequest request, string key)
    {
        string header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), System.Text.Encoding.UTF8.GetBytes(key));
    }
}
