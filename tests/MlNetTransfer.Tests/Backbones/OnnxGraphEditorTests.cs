using Google.Protobuf;
using MlNetTransfer.Backbones;
using Onnx;

namespace MlNetTransfer.Tests.Backbones;

public class OnnxGraphEditorTests
{
    // The saved graph is the backbone part's bytes followed by the head's: that must parse as the merged model.
    [Fact]
    public void ConcatenatedModelsParseAsTheirMerge()
    {
        var first = new OnnxGraphEditor(8, "first");
        first.AddInput("x", true, 4);
        first.Node("Relu", ["x"], "y");
        first.AddMetadata("backbone", "b");
        var second = new OnnxGraphEditor(8, "second", namePrefix: "head/");
        second.Node("Neg", ["y"], "z");
        second.AddOutput("z", TensorProto.Types.DataType.Float, true, 4);
        second.AddMetadata("classes", "a\nb");

        var parsed = ModelProto.Parser.ParseFrom(OnnxGraphEditor.Concatenate(first.ToBytes(), second.GraphOnlyBytes()));
        var merged = ModelProto.Parser.ParseFrom(first.ToBytes());
        merged.MergeFrom(ModelProto.Parser.ParseFrom(second.GraphOnlyBytes()));

        Assert.Equal(merged, parsed);
        Assert.Equal(["Relu", "Neg"], parsed.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["backbone", "classes"], parsed.MetadataProps.Select(p => p.Key));
        Assert.Equal("x", Assert.Single(parsed.Graph.Input).Name);
        Assert.Equal("z", Assert.Single(parsed.Graph.Output).Name);
    }
}
