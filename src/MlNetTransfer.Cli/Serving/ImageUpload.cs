using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using MlNetTransfer.Data;

namespace MlNetTransfer.Cli.Serving;

/// <summary>
/// The image a request carries: one file of a multipart form, or else the body, whatever its content type says
/// (`curl --data-binary @photo.jpg` sends application/x-www-form-urlencoded); or the 4xx answer that says why there is none.
/// </summary>
internal static class ImageUpload
{
    public static async Task<(byte[]? Image, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long maxPixels, CancellationToken cancel)
    {
        byte[] bytes;
        try
        {
            if (request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
            {
                var form = await request.ReadFormAsync(cancel);
                if (form.Files.Count != 1)
                    return (null, Problem(400, "Expected one file", $"The form has {form.Files.Count} files: send exactly one image."));
                using var file = new MemoryStream();
                await form.Files[0].CopyToAsync(file, cancel);
                bytes = file.ToArray();
            }
            else
            {
                // The bytes decide whether it is an image (checked below), not the content type.
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, cancel);
                bytes = body.ToArray();
            }
        }
        catch (BadHttpRequestException e)
        {
            return (null, Problem(e.StatusCode, e.StatusCode == 413 ? "Request too large" : "Bad request", e.Message));
        }
        catch (InvalidDataException e) // a malformed multipart body, or one over the form limits
        {
            return (null, Problem(e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400, "Unreadable form", e.Message));
        }

        if (ImageCheck.Check(bytes, maxPixels) is { } problem)
            return (null, problem.Kind switch
            {
                ImageProblemKind.Empty => Problem(400, "Empty image", "The request has no image: send the image's bytes as the body."),
                ImageProblemKind.NotAnImage => Problem(415, "Not an image", $"The body is {problem.Reason}: send a JPEG, PNG, GIF, BMP or WebP image."),
                ImageProblemKind.TooManyPixels => Problem(422, "Image too large", $"The image is refused from its header: {problem.Reason}."),
                _ => Problem(422, "Damaged image", $"The image cannot be used: {problem.Reason}."),
            });
        return (bytes, null);
    }

    /// <summary>
    /// The request body in the OpenAPI document. Written here because <c>Accepts</c> metadata, from which the generator
    /// would infer it, also makes routing refuse every other content type with 415, and any body is the image.
    /// </summary>
    public static OpenApiRequestBody OpenApiBody()
    {
        OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = "The image (JPEG, PNG, GIF, BMP or WebP): its bytes as the body, whatever the content type, or one file of a form.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/octet-stream"] = new() { Schema = Binary() },
                ["image/*"] = new() { Schema = Binary() },
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = Binary() } },
                },
            },
        };
    }

    public static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    /// <summary>
    /// What <paramref name="answer"/> makes of the request's image; a request without a usable image gets its 4xx, and
    /// an image that passes the header check but does not decode gets 422.
    /// </summary>
    public static async Task<Results<T, ProblemHttpResult>> AnswerAsync<T>(HttpRequest request, long maxPixels, Func<byte[], Task<T>> answer, CancellationToken cancel)
        where T : IResult
    {
        var (image, problem) = await ReadAsync(request, maxPixels, cancel);
        if (problem is not null) return problem;
        try
        {
            return await answer(image!);
        }
        catch (InvalidDataException e)
        {
            return Problem(422, "Damaged image", e.Message);
        }
    }

    /// <summary>An endpoint that takes an image: its request body and the problems it may answer with, in the OpenAPI document.</summary>
    public static RouteHandlerBuilder TakesAnImage(this RouteHandlerBuilder endpoint) => endpoint
        .AddOpenApiOperationTransformer((operation, _, _) => { operation.RequestBody = OpenApiBody(); return Task.CompletedTask; })
        .ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
}
