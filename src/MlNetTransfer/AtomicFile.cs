namespace MlNetTransfer;

/// <summary>Writes a file so that readers see the old content or the new, never a part: temporary file in the same folder, then rename.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        RemoveStaleTemporaries(folder, Path.GetFileName(full));
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                // No fsync: it cost about a second per 60 MB model here, and a killed process cannot tear a file that is only renamed
                // into place once complete (power loss is the one case left; ext4 flushes a rename-replaced file by default).
                stream.Flush(flushToDisk: false);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

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

    public static void Write(string path, byte[] content) => Write(path, s => s.Write(content));

    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));
}
