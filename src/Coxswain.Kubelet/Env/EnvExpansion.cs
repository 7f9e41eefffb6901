namespace Coxswain.Kubelet.Env;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion for env values, command, args and subPathExpr: <c>$(NAME)</c> is replaced by
/// the mapping, <c>$$</c> is an escaped <c>$</c>, and anything else (an unclosed <c>$(</c>, a lone <c>$</c>) stays as written.
/// </summary>
internal static class EnvExpansion
{
    /// <summary>Expands <paramref name="input"/>; <paramref name="mapping"/> decides what an unknown name becomes.</summary>
    public static string Expand(string input, Func<string, string> mapping)
    {
        System.Text.StringBuilder? expanded = null;
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            // A '$' in last position cannot start anything and stays literal.
            if (input[cursor] != '$' || cursor + 1 >= input.Length)
            {
                continue;
            }
            expanded ??= new System.Text.StringBuilder(input.Length);
            expanded.Append(input, checkpoint, cursor - checkpoint);
            var (text, isVariable, advance) = ReadVariable(input, cursor + 1);
            expanded.Append(isVariable ? mapping(text) : text);
            cursor += advance;
            checkpoint = cursor + 1;
        }
        if (expanded is null)
        {
            return input;
        }
        expanded.Append(input, checkpoint, input.Length - checkpoint);
        return expanded.ToString();
    }

    /// <summary>A mapping over the given maps (first hit wins) that leaves unknown references as <c>$(NAME)</c>.</summary>
    public static Func<string, string> MappingFor(params IReadOnlyDictionary<string, string>[] maps) => name =>
    {
        foreach (var map in maps)
        {
            if (map.TryGetValue(name, out var value))
            {
                return value;
            }
        }
        return "$(" + name + ")";
    };

    // What follows a '$' at position start: the text to emit, whether it is a variable name, and how far it reaches.
    private static (string Text, bool IsVariable, int Advance) ReadVariable(string input, int start)
    {
        switch (input[start])
        {
            case '$':
                return ("$", false, 1);
            case '(':
                var close = input.IndexOf(')', start + 1);
                return close < 0 ? ("$(", false, 1) : (input[(start + 1)..close], true, close - start + 1);
            default:
                return ("$" + input[start], false, 1);
        }
    }
}
