using System.Text.Json;
using System.Text.Json.Nodes;
using MlNetTransfer.Model;

namespace MlNetTransfer.Cli.Serving;

/// <summary>The OpenAPI 3.1 description of serve's endpoints, with the model's classes.</summary>
internal static class OpenApiDocument
{
    public static string Json(ModelFile model)
    {
        var problem = new JsonObject { ["$ref"] = "#/components/schemas/Problem" };
        JsonObject Error(string why) => new() { ["description"] = why, ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = problem.DeepClone() } } };
        var binary = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } };
        var document = new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject { ["title"] = $"MlNetTransfer image classifier ({model.Info.Backbone})", ["version"] = IO.PackageVersion.Of(typeof(ModelFile)) },
            ["paths"] = new JsonObject
            {
                ["/predict"] = new JsonObject
                {
                    ["post"] = new JsonObject
                    {
                        ["summary"] = "Classify one image: its bytes as the body (any content type), or one file of a multipart form.",
                        ["requestBody"] = new JsonObject
                        {
                            ["required"] = true,
                            ["content"] = new JsonObject
                            {
                                ["image/*"] = binary.DeepClone(),
                                ["application/octet-stream"] = binary.DeepClone(),
                                ["multipart/form-data"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["file"] = new JsonObject { ["type"] = "string", ["format"] = "binary" } } } },
                            },
                        },
                        ["responses"] = new JsonObject
                        {
                            ["200"] = new JsonObject { ["description"] = "The predicted class and every class's probability, in class order.", ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Prediction" } } } },
                            ["400"] = Error("Empty body, or a form without exactly one file."),
                            ["413"] = Error("The body is over the size limit."),
                            ["415"] = Error("Not an image (or not a format the decoder knows)."),
                            ["422"] = Error("A damaged image, or one whose header claims too many pixels."),
                        },
                    },
                },
                ["/healthz"] = new JsonObject { ["get"] = new JsonObject { ["summary"] = "Liveness.", ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "{\"status\": \"ok\"}" } } } },
                ["/"] = new JsonObject { ["get"] = new JsonObject { ["summary"] = "A page to try the model.", ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "HTML" } } } },
            },
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject
                {
                    ["Prediction"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["predictedLabel"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. model.Classes.Select(c => (JsonNode)c)]) },
                            ["scores"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject(model.Classes.Select(c => KeyValuePair.Create(c, (JsonNode?)new JsonObject { ["type"] = "number" }))) },
                            ["unknown"] = new JsonObject { ["type"] = new JsonArray("boolean", "null"), ["description"] = "The image looks like none of the classes (null: the model has no novelty)." },
                            ["novelty"] = new JsonObject { ["type"] = new JsonArray("number", "null"), ["description"] = "How far the image's features lie from the training images'." },
                        },
                    },
                    ["Problem"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["title"] = new JsonObject { ["type"] = "string" }, ["status"] = new JsonObject { ["type"] = "integer" }, ["detail"] = new JsonObject { ["type"] = "string" } } },
                },
            },
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
