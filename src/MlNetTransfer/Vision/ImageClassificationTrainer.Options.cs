using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace MlNetTransfer.Vision;

public sealed partial class ImageClassificationTrainer
{
    /// <summary>
    /// The settings of ML.NET's <c>ImageClassificationTrainer.Options</c>, by the same names and, unless docs/porting-from-mlnet.md's
    /// porting section lists a difference, the same defaults. Fields, as ML.NET has them.
    /// </summary>
    public sealed class Options
    {
        /// <summary>The image column: encoded image bytes (<c>byte[]</c>, as <c>LoadRawImageBytes</c> makes) or image file paths (text).</summary>
        public string FeatureColumnName = "Features";

        /// <summary>The label column: a key (for example from <c>MapValueToKey</c>) whose values are the class names.</summary>
        public string LabelColumnName = "Label";

        /// <summary>Samples per mini-batch.</summary>
        public int BatchSize = 10;

        /// <summary>Most epochs; early stopping may end sooner.</summary>
        public int Epoch = 200;

        /// <summary>The learning rate when <see cref="LearningRateScheduler"/> is null (a scheduler sets its own, as in ML.NET).</summary>
        public float LearningRate = 0.01f;

        /// <summary>Stops when the validation metric stalls; null trains every epoch. The best epoch's weights are kept.</summary>
        public EarlyStopping? EarlyStoppingCriteria = new();

        /// <summary>
        /// The pretrained network. This tool ships <see cref="Architecture.ResNet18"/> (the default); ML.NET's TensorFlow
        /// architectures are not available, and asking for one trains on ResNet18 with a warning on <c>MLContext.Log</c>.
        /// Set <see cref="BackbonePath"/> to use a network of your own.
        /// </summary>
        public Architecture Arch = Architecture.ResNet18;

        /// <summary>An ImageNet classifier exported to ONNX to use instead of <see cref="Arch"/> (its pooled-feature node is found automatically).</summary>
        public string? BackbonePath;

        /// <summary>
        /// The network's arithmetic (not in ML.NET). <see cref="Backbones.Precision.Int8"/> quantizes the embedded network
        /// on up to 128 of the training images: the network about 3 × faster on processors with VNNI, extraction with
        /// decoding 1.4-1.9 ×, features at a cosine of about 0.991-0.999 to fp32's, by data set (docs/int8.md).
        /// <see cref="Backbones.Precision.Auto"/> takes int8 for the embedded network on the CPU of an x86 processor with
        /// VNNI and fp32 elsewhere. The default is fp32 (docs/int8.md: int8 lost 0.6 point on one data set).
        /// </summary>
        public Backbones.Precision Precision = Backbones.Precision.Fp32;

        public string ScoreColumnName = "Score";
        public string PredictedLabelColumnName = "PredictedLabel";

        /// <summary>Prefix of the trained classifier's ONNX export written to <see cref="WorkspacePath"/> (when one is given).</summary>
        public string FinalModelPrefix = "custom_retrained_model_based_on_";

        /// <summary>Called for each image's bottleneck features and, after each epoch, with the training and validation figures; null: they go to <c>MLContext.Log</c>.</summary>
        public Action<ImageClassificationMetrics>? MetricsCallback;

        /// <summary>
        /// The folder of the feature (bottleneck) cache and, when given, of the bottleneck CSV files and the final
        /// model; null uses the tool's shared cache folder ($MLNETTRANSFER_CACHE or ~/.cache/mlnettransfer).
        /// </summary>
        public string? WorkspacePath;

        /// <summary>Report the training set's accuracy and loss after each epoch.</summary>
        public bool TestOnTrainSet = true;

        /// <summary>
        /// Read training images' features from the cache when there. The cache is keyed by each image's content and
        /// the backbone, so it cannot serve stale values; false extracts them again.
        /// </summary>
        public bool ReuseTrainSetBottleneckCachedValues = true;

        /// <summary>As <see cref="ReuseTrainSetBottleneckCachedValues"/>, for validation images.</summary>
        public bool ReuseValidationSetBottleneckCachedValues = true;

        /// <summary>Validation data with the same columns; null holds out <see cref="ValidationSetFraction"/> of the training data.</summary>
        public IDataView? ValidationSet;

        /// <summary>Share of each class held out for validation when <see cref="ValidationSet"/> is null (seeded, stratified); null validates on the training set.</summary>
        public float? ValidationSetFraction = 0.1f;

        /// <summary>File in <see cref="WorkspacePath"/> where the training images' features are written as CSV (label index, features).</summary>
        public string TrainSetBottleneckCachedValuesFileName = "trainSetBottleneckFile.csv";

        /// <summary>As <see cref="TrainSetBottleneckCachedValuesFileName"/>, for validation images.</summary>
        public string ValidationSetBottleneckCachedValuesFileName = "validationSetBottleneckFile.csv";

        /// <summary>ML.NET's learning-rate schedule (<see cref="ExponentialLRDecay"/>, <see cref="PolynomialLRDecay"/>), applied per batch; null keeps <see cref="LearningRate"/>.</summary>
        public LearningRateScheduler? LearningRateScheduler = new ExponentialLRDecay();

        /// <summary>Seed of the validation split, the head's initialisation, shuffling and dropout.</summary>
        public int Seed;

        /// <summary>Stops a Fit between images or epochs (<see cref="OperationCanceledException"/>); features extracted so far stay cached.</summary>
        public CancellationToken CancellationToken;
    }

    /// <summary>The pretrained network, by ML.NET's names, plus the one this tool ships.</summary>
    public enum Architecture
    {
        [Obsolete("ResnetV2101 (TensorFlow) is not available in MlNetTransfer: ResNet18 is used. Set Options.BackbonePath to use an ONNX network of your own.")]
        ResnetV2101,
        [Obsolete("InceptionV3 (TensorFlow) is not available in MlNetTransfer: ResNet18 is used. Set Options.BackbonePath to use an ONNX network of your own.")]
        InceptionV3,
        [Obsolete("MobilenetV2 (TensorFlow) is not available in MlNetTransfer: ResNet18 is used. Set Options.BackbonePath to use an ONNX network of your own.")]
        MobilenetV2,
        [Obsolete("ResnetV250 (TensorFlow) is not available in MlNetTransfer: ResNet18 is used. Set Options.BackbonePath to use an ONNX network of your own.")]
        ResnetV250,
        /// <summary>The ImageNet ResNet18 of the package Microsoft.ML.DnnImageFeaturizer.ResNet18 (ONNX), the default.</summary>
        ResNet18 = 100,
    }

    /// <summary>The validation metric that early stopping watches.</summary>
    public enum EarlyStoppingMetric
    {
        Accuracy,
        Loss,
    }

    /// <summary>
    /// Stop once <see cref="Patience"/> epochs in a row improved the validation metric by less than <see cref="MinDelta"/>
    /// (ML.NET's rule and defaults). Training keeps the best epoch's weights.
    /// </summary>
    public sealed class EarlyStopping
    {
        private float _best;
        private int _wait;

        public EarlyStopping(float minDelta = 0.01f, int patience = 20, EarlyStoppingMetric metric = EarlyStoppingMetric.Accuracy, bool checkIncreasing = true)
        {
            MinDelta = Math.Abs(minDelta);
            Patience = patience;
            Metric = metric;
            // As in ML.NET, the metric decides the direction: accuracy increases, loss decreases.
            CheckIncreasing = metric == EarlyStoppingMetric.Accuracy || (checkIncreasing && metric != EarlyStoppingMetric.Loss);
            _best = CheckIncreasing ? 0 : float.MaxValue;
        }

        public float MinDelta { get; set; }
        public int Patience { get; set; }
        public bool CheckIncreasing { get; set; }

        /// <summary>The metric watched.</summary>
        public EarlyStoppingMetric Metric { get; }

        /// <summary>Records one epoch's validation figures; true once training should stop.</summary>
        public bool ShouldStop(TrainMetrics currentMetrics)
        {
            ArgumentNullException.ThrowIfNull(currentMetrics);
            float current = Metric == EarlyStoppingMetric.Accuracy ? currentMetrics.Accuracy : currentMetrics.CrossEntropy;
            float gain = CheckIncreasing ? current - _best : _best - current;
            if (gain < MinDelta)
                return ++_wait >= Patience;
            _wait = 0;
            _best = current;
            return false;
        }
    }
}
