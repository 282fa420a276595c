using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using MlNetTransfer.Training;

namespace MlNetTransfer.Benchmarks;

/// <summary>
/// (d') Head training alone: the default head trained for 30 epochs on 10,000 × 512 synthetic
/// features of 10 classes (2,500 more for validation, the default 80/20 split of 12,500), no early stopping.
/// </summary>
/// <remarks>
/// Given another build's MlNetTransfer.dll, times that build's trainer instead, loaded beside this one: two builds can
/// then take turns in one process, so a shared machine's slow minutes fall on both alike.
/// </remarks>
public sealed class HeadTrainingBenchmark
{
    private readonly MethodInfo _train;
    private readonly object _trainSet, _validationSet;
    private readonly Func<object> _options;

    /// <param name="library">Another build's MlNetTransfer.dll; null times this build.</param>
    public HeadTrainingBenchmark(string? library = null)
    {
        var assembly = library is null ? typeof(HeadTrainer).Assembly : new BuildContext(Path.GetFullPath(library)).Assembly;
        Type Type(string name) => assembly.GetType("MlNetTransfer.Training." + name, throwOnError: true)!;
        _train = Type(nameof(HeadTrainer)).GetMethod(nameof(HeadTrainer.Train))!;
        var featureSet = Type(nameof(FeatureSet));
        object Set(int count, int seed)
        {
            var set = SyntheticSet(count, 512, 10, seed);
            var rows = Enumerable.Range(0, set.Count).Select(i => set.Row(i).ToArray()).ToList();
            return Activator.CreateInstance(featureSet, rows, set.Labels)!;
        }
        _trainSet = Set(10_000, seed: 7);
        _validationSet = Set(2_500, seed: 8);
        var optionsType = Type(nameof(TrainingOptions));
        _options = () =>
        {
            var options = Activator.CreateInstance(optionsType)!;
            optionsType.GetProperty(nameof(TrainingOptions.Epochs))!.SetValue(options, 30);
            optionsType.GetProperty(nameof(TrainingOptions.Patience))!.SetValue(options, 0);
            return options;
        };
    }

    /// <summary>Seconds of one training run.</summary>
    public double Seconds()
    {
        // Past the first four, each parameter at its default: builds differ in how many optional ones they have.
        var parameters = _train.GetParameters();
        var args = new[] { _trainSet, _validationSet, 10, _options() }.Concat(parameters.Skip(4).Select(p => p.DefaultValue is DBNull ? null : p.DefaultValue)).ToArray();
        var clock = Stopwatch.StartNew();
        _train.Invoke(null, args);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Uniform noise in [0, 1) with 0.3 added to every tenth feature of the sample's class: learnable, not trivially.</summary>
    internal static FeatureSet SyntheticSet(int count, int dimension, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        var features = new List<float[]>(count);
        var labels = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            features.Add(Enumerable.Range(0, dimension).Select(k => random.NextFloat() + (k % classes == label ? 0.3f : 0f)).ToArray());
            labels.Add(label);
        }
        return new FeatureSet(features, labels);
    }

    // Only MlNetTransfer itself comes from the other build's folder; its dependencies are this process's.
    private sealed class BuildContext : AssemblyLoadContext
    {
        public BuildContext(string library) : base("bench-head " + library) => Assembly = LoadFromAssemblyPath(library);

        public Assembly Assembly { get; }

        protected override Assembly? Load(AssemblyName name) => null;
    }
}
