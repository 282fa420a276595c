using SkiaSharp;

namespace MlNetTransfer.Data;

/// <summary>
/// Decodes a sequential (baseline) JPEG on two threads, for one image wanted at once (a single prediction): the calling
/// thread decodes the top rows while a second one skips them and decodes the rest. A JPEG's entropy decoding cannot be
/// split (its rows must be read in order), so the second thread reads the top's bits too, without its inverse DCT,
/// colour conversion and upsampling, which are the part shared out. The pixels are those of one whole decode, bit for
/// bit (libjpeg-turbo's scanlines do not depend on where a read starts; the skip always starts at the first row, not
/// mid row group, where its past bugs were; tests compare bitmaps over subsamplings and scales).
/// Measured on this machine's 2 cores, one image at a time: about 0.8 of the one-call decode's time on camera photos and
/// ants/bees photos (README, "Camera photos"). Progressive JPEGs gain nothing (their whole scan is
/// decoded before any row comes out) and are decoded in one call, as are files with a scan per component and cut-short
/// files (<see cref="CanSplit"/>). On busy cores the skipped rows are work done twice: callers use this only when no
/// other image of theirs is being decoded.
/// </summary>
internal static class TwoThreadJpeg
{
    // The calling thread's share of the rows. The other thread also entropy-decodes them to skip them, so an even split
    // leaves it the longer part; of 0.5, 0.6, 0.67 and 0.75, 0.6 was fastest on both sets above.
    private const double TopShare = 0.6;

    // Below this many pixels the second thread's start costs about what it saves (generated JPEGs, one at a time:
    // 320×240 0.57 against 0.65 ms split, 500×375 1.54 against 1.12 ms).
    private const long MinimumPixels = 100_000;

    /// <summary>
    /// <paramref name="encoded"/> decoded into <paramref name="info"/> (its size one of the codec's scaled sizes); null
    /// when it is not a sequential JPEG, too small to gain, or a part of it cannot be decoded (the caller then decodes it
    /// in one call, which treats a truncated file as it always has).
    /// </summary>
    public static SKBitmap? Decode(byte[] encoded, SKImageInfo info) => CanSplit(encoded) ? DecodeSplittable(encoded, info) : null;

    private static SKBitmap? DecodeSplittable(byte[] encoded, SKImageInfo info)
    {
        // One core: nobody to share with.
        if (Environment.ProcessorCount < 2 || (long)info.Width * info.Height < MinimumPixels || info.Height < 2) return null;
        int top = (int)(info.Height * TopShare), bottomRows = info.Height - top;
        var bitmap = new SKBitmap(info);
        nint pixels = bitmap.GetPixels();
        int rowBytes = bitmap.RowBytes;
        // Whoever comes first decodes the bottom: the second thread, or the caller itself, on from its top rows, when no
        // pool thread has started by then (a busy thread pool then costs nothing but the split's gain).
        int bottomTaken = 0;
        var bottomTask = Task.Run(() =>
        {
            if (Interlocked.Exchange(ref bottomTaken, 1) != 0) return true;
            using var codec = StartScanlines(encoded, info);
            return codec is not null && (codec.SkipScanlines(top) && TryDecodeRows(codec, pixels, rowBytes, top, bottomRows));
        });
        bool done = false, callerTookBottom = false;
        try
        {
            using var codec = StartScanlines(encoded, info);
            if (codec is not null && TryDecodeRows(codec, pixels, rowBytes, 0, top))
            {
                callerTookBottom = Interlocked.Exchange(ref bottomTaken, 1) == 0;
                done = !callerTookBottom || TryDecodeRows(codec, pixels, rowBytes, top, bottomRows);
            }
        }
        finally
        {
            // The bitmap's memory must outlive the second thread's writes: wait for it if it took the bottom, else claim
            // the bottom (if nobody has) so that it never writes, and do not wait for a thread that will do nothing.
            if (!callerTookBottom && Interlocked.Exchange(ref bottomTaken, 1) != 0)
            {
                try { done &= bottomTask.GetAwaiter().GetResult(); }
                catch { done = false; }
            }
            if (!done) bitmap.Dispose();
        }
        return done ? bitmap : null;
    }

    /// <summary>
    /// <paramref name="encoded"/> decoded whole as <see cref="SKBitmap.Decode(SKCodec)"/> would (the codec's own colour
    /// type, premultiplied, no colour space), or null as <see cref="Decode(byte[], SKImageInfo)"/>.
    /// </summary>
    public static SKBitmap? DecodeWhole(byte[] encoded)
    {
        if (!CanSplit(encoded)) return null;
        using var codec = SKCodec.Create(new MemoryStream(encoded, writable: false));
        if (codec is null) return null;
        var info = codec.Info;
        if (info.AlphaType == SKAlphaType.Unpremul) info.AlphaType = SKAlphaType.Premul;
        info.ColorSpace = null;
        return DecodeSplittable(encoded, info);
    }

    // A codec ready to give rows from the first; null when it cannot (the one-call decode will say why).
    private static SKCodec? StartScanlines(byte[] encoded, SKImageInfo info)
    {
        var codec = SKCodec.Create(new MemoryStream(encoded, writable: false));
        if (codec is null || codec.StartScanlineDecode(info) == SKCodecResult.Success) return codec;
        codec.Dispose();
        return null;
    }

    private static bool TryDecodeRows(SKCodec codec, nint pixels, int rowBytes, int start, int count) =>
        codec.GetScanlines(pixels + (nint)start * rowBytes, count, rowBytes) == count;

    /// <summary>
    /// Whether <paramref name="jpeg"/> is a JPEG whose frame is sequential with Huffman coding (SOF0 or SOF1), whose
    /// first scan holds every component (a file with one scan per component has them all decoded before any row comes
    /// out, by each thread, as a progressive one does) and which has its end marker after the scan (a cut-short file
    /// would fail both halves before the one-call decode; phones may write data after the end marker, so it need not
    /// be last). Read from its markers up to the first scan, then searched for the end marker (coded data cannot hold
    /// one).
    /// </summary>
    public static bool CanSplit(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return false;
        int at = 2, components = 0;
        while (at + 4 < jpeg.Length)
        {
            if (jpeg[at] != 0xFF) return false;
            byte marker = jpeg[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; } // markers without a length
            if (marker is 0xC0 or 0xC1 && at + 9 < jpeg.Length) components = jpeg[at + 9];
            else if (marker is >= 0xC2 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return false; // progressive, lossless, arithmetic
            else if (marker == 0xDA) return components > 0 && jpeg[at + 4] == components && jpeg[(at + 2)..].LastIndexOf([(byte)0xFF, (byte)0xD9]) >= 0;
            else if (marker == 0xD9) return false;
            int length = (jpeg[at + 2] << 8) | jpeg[at + 3];
            if (length > jpeg.Length - at - 2) return false;
            at += 2 + length;
        }
        return false;
    }
}
