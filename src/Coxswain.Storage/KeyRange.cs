namespace Coxswain.Storage;

/// <summary>
/// Key ordering and prefix ranges. Keys order by Unicode code point, which is the byte order of their UTF-8 form
/// (what SQLite's BINARY collation and etcd compare) and equals ordinal order for keys without surrogate pairs.
/// </summary>
internal static class KeyRange
{
    /// <summary>
    /// The smallest key greater than every key that starts with <paramref name="prefix"/>,
    /// or null when there is none (the empty prefix matches everything).
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        int end = prefix.Length;
        while (end > 0)
        {
            int start = end - 1;
            int codePoint = prefix[start];
            if (char.IsLowSurrogate(prefix[start]) && start > 0 && char.IsHighSurrogate(prefix[start - 1]))
            {
                start--;
                codePoint = char.ConvertToUtf32(prefix[start], prefix[start + 1]);
            }

            if (codePoint < 0x10FFFF)
            {
                int next = codePoint + 1;
                if (next == 0xD800)
                {
                    next = 0xE000; // skip the surrogate range: it is not a code point of its own
                }

                string last = next <= char.MaxValue ? ((char)next).ToString() : char.ConvertFromUtf32(next);
                return string.Concat(prefix.AsSpan(0, start), last);
            }

            end = start;
        }

        return null;
    }

    /// <summary>Compares two keys by code point (UTF-8 byte order).</summary>
    public static int Compare(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            char x = a[i];
            char y = b[i];
            if (x != y)
            {
                return Fixup(x) - Fixup(y);
            }
        }

        return a.Length - b.Length;

        // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, so they sort after 0xE000-0xFFFF.
        static int Fixup(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }
}
