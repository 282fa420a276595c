namespace MlNetTransfer.IO;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a part: a temporary file in the same folder,
/// then a rename (atomic on one file system, NFS included; no locks). Used for the files of a run, the model and the
/// cache.
/// </summary>
internal static class AtomicFile
{
    /// <param name="removeStaleTemporaries">Also delete temporary files of this name left by killed processes (a
    /// folder scan: worth it for a run's outputs, not for each of thousands of cache entries).</param>
    public static void Write(string path, Action<Stream> write, bool removeStaleTemporaries = true)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        if (removeStaleTemporaries) RemoveStaleTemporaries(folder, Path.GetFileName(full));
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var stream = new FileTooLargeAsIOException(file, full))
            {
                write(stream);
                TestPausePoint.Reach(TestPausePoint.DuringAtomicWrite, Path.GetFileName(full));
                // No fsync: it cost about a second per 60 MB model here, and a killed process cannot tear a file that is only renamed
                // into place once complete (power loss is the one case left; ext4 flushes a rename-replaced file by default).
                stream.Flush();
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    // .NET reports a write past the file-size limit (EFBIG) as an ArgumentOutOfRangeException from the file stream:
    // an I/O failure, said as one. Only the stream's own writes are translated, not the caller's errors.
    private sealed class FileTooLargeAsIOException(FileStream file, string path) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => file.CanSeek;
        public override bool CanWrite => true;
        public override long Length => file.Length;
        public override long Position { get => file.Position; set => file.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { file.Write(buffer); }
            catch (ArgumentOutOfRangeException e) { throw TooLarge(e); }
        }

        public override void Flush()
        {
            try { file.Flush(); }
            catch (ArgumentOutOfRangeException e) { throw TooLarge(e); }
        }

        public override void SetLength(long value)
        {
            try { file.SetLength(value); }
            catch (ArgumentOutOfRangeException e) { throw TooLarge(e); }
        }

        private IOException TooLarge(Exception e) => new($"Cannot write {path}: the file is too large for the file system or the file-size limit.", e);
    }

    public static void Write(string path, byte[] content, bool removeStaleTemporaries = true) => Write(path, s => s.Write(content), removeStaleTemporaries);

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));

    // A process killed while writing leaves its temporary file behind; the next writer of the same file removes the
    // ones whose process is gone (the real file was never touched).
    private static void RemoveStaleTemporaries(string folder, string name)
    {
        try
        {
            foreach (var temp in Directory.EnumerateFiles(folder, $".{name}.*.tmp"))
            {
                var parts = Path.GetFileName(temp)[(name.Length + 2)..].Split('.');
                if (parts.Length == 3 && int.TryParse(parts[0], out int pid) && pid != Environment.ProcessId && !IsRunning(pid))
                    File.Delete(temp);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
