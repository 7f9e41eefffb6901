namespace Coxswain.Bench;

internal delegate void LineHandler(ReadOnlySpan<byte> line);

/// <summary>Cuts a byte stream into lines.</summary>
internal sealed class LineSplitter(LineHandler onLine)
{
    private byte[] _partial = new byte[4096];
    private int _length;

    public void Push(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Keep(data);
                return;
            }
            if (_length == 0)
            {
                onLine(data[..newline]);
            }
            else
            {
                Keep(data[..newline]);
                onLine(_partial.AsSpan(0, _length));
                _length = 0;
            }
            data = data[(newline + 1)..];
        }
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (_partial.Length - _length < data.Length)
        {
            Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _length + data.Length));
        }
        data.CopyTo(_partial.AsSpan(_length));
        _length += data.Length;
    }
}
