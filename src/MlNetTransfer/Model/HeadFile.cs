using MlNetTransfer.IO;
using MlNetTransfer.Training;

namespace MlNetTransfer.Model;

/// <summary>
/// The trained head inside model.zip (entry <see cref="EntryName"/>), so the tool can evaluate and predict from cached
/// features in batches and export the classifier to a plain ONNX file. ML.NET ignores the entry.
/// Little-endian: magic, version, layer count, standardisation (length, mean, scale), then per layer inputs,
/// outputs, weights [outputs × inputs], bias; its <see cref="Checksum"/> ends the file.
/// </summary>
internal static class HeadFile
{
    public const string EntryName = "MlNetTransfer/head.bin";
    private const uint Magic = 0x48544E4D; // "MNTH"
    private const int Version = 1;

    public static byte[] Write(HeadWeights head)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(head.Layers.Count);
            w.Write(head.FeatureMean.Length);
            foreach (var v in head.FeatureMean) w.Write(v);
            foreach (var v in head.FeatureScale) w.Write(v);
            foreach (var layer in head.Layers)
            {
                w.Write(layer.Inputs);
                w.Write(layer.Outputs);
                foreach (var v in layer.Weights) w.Write(v);
                foreach (var v in layer.Bias) w.Write(v);
            }
        }
        return Checksum.Seal(ms.ToArray());
    }

    /// <exception cref="InvalidDataException">The bytes are not a head this version wrote, or are damaged.</exception>
    public static HeadWeights Read(byte[] bytes)
    {
        if (bytes.Length < 24 || !Checksum.IsIntact(bytes))
            throw new InvalidDataException("the head weights are damaged (checksum mismatch)");
        using var r = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - Checksum.Length));
        if (r.ReadUInt32() != Magic || r.ReadInt32() != Version)
            throw new InvalidDataException("the head weights are in an unknown format");
        int layerCount = r.ReadInt32(), features = r.ReadInt32();
        float[] Floats(int n) => Enumerable.Range(0, n).Select(_ => r.ReadSingle()).ToArray();
        var mean = Floats(features);
        var scale = Floats(features);
        var layers = new List<DenseLayer>();
        for (int i = 0; i < layerCount; i++)
        {
            var layer = new DenseLayer(r.ReadInt32(), r.ReadInt32());
            Floats(layer.Weights.Length).CopyTo(layer.Weights, 0);
            Floats(layer.Bias.Length).CopyTo(layer.Bias, 0);
            layers.Add(layer);
        }
        return new HeadWeights(mean, scale, layers);
    }
}
