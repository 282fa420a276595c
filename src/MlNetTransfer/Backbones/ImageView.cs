namespace MlNetTransfer.Backbones;

/// <summary>How an image is brought to the network's square input: the view of it that the features describe.</summary>
public enum ImageView
{
    /// <summary>IsoCrop when the training images are square, Crop otherwise (the default of <c>train</c>).</summary>
    Auto,
    /// <summary>Shorter side to 256 (the input × 8/7), the centre cropped to the input size: ImageNet's evaluation view.</summary>
    Crop,
    /// <summary>The whole image stretched to the input size: nothing cut off, the aspect not kept.</summary>
    Fill,
    /// <summary>Shorter side to the input size, the longer side's overflow cropped: the aspect kept, no zoom.</summary>
    IsoCrop,
}
