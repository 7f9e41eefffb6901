using Coxswain.Api.Errors;

namespace Coxswain.Api.Selectors;

/// <summary>
/// Upstream's label selector lexer and recursive-descent parser (apimachinery labels.Parse),
/// with its error wording. Grammar:
/// <code>
/// selector    ::= requirement | requirement "," selector
/// requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | "&gt;" | "&lt;") VALUE ]
/// </code>
/// Whitespace (space, tab, CR, LF) separates tokens; <c>in</c>/<c>notin</c> are keywords only
/// in operator position, so they may be used as keys and values.
/// </summary>
internal sealed class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        EqualsSign,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    private static readonly Dictionary<string, Token> Keywords = new(StringComparer.Ordinal)
    {
        [")"] = Token.ClosedPar,
        [","] = Token.Comma,
        ["!"] = Token.DoesNotExist,
        ["=="] = Token.DoubleEquals,
        ["="] = Token.EqualsSign,
        [">"] = Token.GreaterThan,
        ["in"] = Token.In,
        ["<"] = Token.LessThan,
        ["!="] = Token.NotEquals,
        ["notin"] = Token.NotIn,
        ["("] = Token.OpenPar,
    };

    private readonly List<(Token Tok, string Lit)> _items = [];
    private int _position;

    private LabelSelectorParser(string text)
    {
        var lexer = new Lexer(text);
        while (true)
        {
            var item = lexer.Lex();
            _items.Add(item);
            if (item.Tok == Token.EndOfString)
            {
                break;
            }
        }
    }

    /// <summary>Parses the text into requirements (unsorted); throws 400 BadRequest on errors.</summary>
    public static List<LabelRequirement> Parse(string text) => new LabelSelectorParser(text).ParseSelector();

    private static ApiException Error(string message) => ApiException.BadRequest(message);

    private (Token Tok, string Lit) Lookahead(Context context) => Adjust(_items[_position], context);

    private (Token Tok, string Lit) Consume(Context context) => Adjust(_items[_position++], context);

    private static (Token Tok, string Lit) Adjust((Token Tok, string Lit) item, Context context) =>
        context == Context.Values && item.Tok is Token.In or Token.NotIn ? (Token.Identifier, item.Lit) : item;

    private List<LabelRequirement> ParseSelector()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (tok, lit) = Lookahead(Context.Values);
            switch (tok)
            {
                case Token.Identifier or Token.DoesNotExist:
                    var requirement = ParseRequirement(out var error);
                    if (error != null)
                    {
                        throw Error("unable to parse requirement: " + error);
                    }
                    requirements.Add(requirement!);
                    var (t, l) = Consume(Context.Values);
                    switch (t)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (t2, l2) = Lookahead(Context.Values);
                            if (t2 is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw Error($"found '{l2}', expected: identifier after ','");
                            }
                            break;
                        default:
                            throw Error($"found '{l}', expected: ',' or 'end of string'");
                    }
                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw Error($"found '{lit}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement? ParseRequirement(out string? error)
    {
        var (key, op, err) = ParseKeyAndInferOperator();
        if (err != null)
        {
            error = err;
            return null;
        }
        if (op is LabelOperator.Exists or LabelOperator.DoesNotExist)
        {
            return LabelRequirement.Create(key, op.Value, [], null, out error);
        }
        (op, err) = ParseOperator();
        if (err != null)
        {
            error = err;
            return null;
        }
        var (values, valuesErr) = op is LabelOperator.In or LabelOperator.NotIn ? ParseValues() : ParseExactValue();
        if (valuesErr != null)
        {
            error = valuesErr;
            return null;
        }
        // Upstream collects the values in a set and passes its sorted list.
        var sorted = values!.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return LabelRequirement.Create(key, op!.Value, sorted, null, out error);
    }

    private (string Key, LabelOperator? Op, string? Error) ParseKeyAndInferOperator()
    {
        LabelOperator? op = null;
        var (tok, literal) = Consume(Context.Values);
        if (tok == Token.DoesNotExist)
        {
            op = LabelOperator.DoesNotExist;
            (tok, literal) = Consume(Context.Values);
        }
        if (tok != Token.Identifier)
        {
            return ("", null, $"found '{literal}', expected: identifier");
        }
        var keyErrs = LabelValidation.IsLabelKey(literal);
        if (keyErrs.Count > 0)
        {
            // Upstream validates with a nil field path, which prints as "<nil>".
            return ("", null, LabelRequirement.Invalid("<nil>", LabelValidation.GoQuote(literal), string.Join("; ", keyErrs)));
        }
        var (next, _) = Lookahead(Context.Values);
        if (next is Token.EndOfString or Token.Comma && op != LabelOperator.DoesNotExist)
        {
            op = LabelOperator.Exists;
        }
        return (literal, op, null);
    }

    private (LabelOperator? Op, string? Error) ParseOperator()
    {
        var (tok, lit) = Consume(Context.KeyAndOperator);
        return tok switch
        {
            Token.In => (LabelOperator.In, null),
            Token.EqualsSign => (LabelOperator.Equals, null),
            Token.DoubleEquals => (LabelOperator.DoubleEquals, null),
            Token.GreaterThan => (LabelOperator.GreaterThan, null),
            Token.LessThan => (LabelOperator.LessThan, null),
            Token.NotIn => (LabelOperator.NotIn, null),
            Token.NotEquals => (LabelOperator.NotEquals, null),
            _ => (null, $"found '{lit}', expected: '=', '!=', '==', 'in', notin'"),
        };
    }

    private (List<string>? Values, string? Error) ParseValues()
    {
        var (tok, lit) = Consume(Context.Values);
        if (tok != Token.OpenPar)
        {
            return (null, $"found '{lit}' expected: '('");
        }
        (tok, lit) = Lookahead(Context.Values);
        switch (tok)
        {
            case Token.Identifier or Token.Comma:
                var (values, err) = ParseIdentifiersList();
                if (err != null)
                {
                    return (null, err);
                }
                if (Consume(Context.Values).Tok != Token.ClosedPar)
                {
                    return (null, $"found '{lit}', expected: ')'");
                }
                return (values, null);
            case Token.ClosedPar:
                Consume(Context.Values);
                return ([""], null);
            default:
                return (null, $"found '{lit}', expected: ',', ')' or identifier");
        }
    }

    private (List<string>? Values, string? Error) ParseIdentifiersList()
    {
        var values = new List<string>();
        while (true)
        {
            var (tok, lit) = Consume(Context.Values);
            switch (tok)
            {
                case Token.Identifier:
                    values.Add(lit);
                    var (tok2, lit2) = Lookahead(Context.Values);
                    switch (tok2)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return (values, null);
                        default:
                            return (null, $"found '{lit2}', expected: ',' or ')'");
                    }
                case Token.Comma:
                    if (values.Count == 0)
                    {
                        values.Add(""); // "(,"
                    }
                    var (next, _) = Lookahead(Context.Values);
                    if (next == Token.ClosedPar)
                    {
                        values.Add(""); // ",)"
                        return (values, null);
                    }
                    if (next == Token.Comma)
                    {
                        Consume(Context.Values);
                        values.Add(""); // ",,"
                    }
                    break;
                default:
                    return (null, $"found '{lit}', expected: ',', or identifier");
            }
        }
    }

    private (List<string>? Values, string? Error) ParseExactValue()
    {
        var (tok, _) = Lookahead(Context.Values);
        if (tok is Token.EndOfString or Token.Comma)
        {
            return ([""], null);
        }
        (tok, var lit) = Consume(Context.Values);
        return tok == Token.Identifier ? ([lit], null) : (null, $"found '{lit}', expected: identifier");
    }

    /// <summary>Upstream's byte lexer; a NUL character ends the input as in Go.</summary>
    private sealed class Lexer(string s)
    {
        private int _pos;

        private char Read() => _pos < s.Length ? s[_pos++] : '\0';

        private void Unread() => _pos--;

        private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

        private static bool IsSpecialSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

        public (Token Tok, string Lit) Lex()
        {
            var ch = Read();
            while (IsWhitespace(ch))
            {
                ch = Read();
            }
            if (ch == '\0')
            {
                return (Token.EndOfString, "");
            }
            Unread();
            return IsSpecialSymbol(ch) ? ScanSpecialSymbol() : ScanIdOrKeyword();
        }

        private (Token, string) ScanIdOrKeyword()
        {
            var start = _pos;
            while (true)
            {
                var ch = Read();
                if (ch == '\0')
                {
                    break;
                }
                if (IsSpecialSymbol(ch) || IsWhitespace(ch))
                {
                    Unread();
                    break;
                }
            }
            var end = Math.Min(_pos, s.Length);
            var word = s[start..end].TrimEnd('\0');
            return Keywords.TryGetValue(word, out var tok) ? (tok, word) : (Token.Identifier, word);
        }

        private (Token, string) ScanSpecialSymbol()
        {
            (Token Tok, string Lit) last = (Token.Error, "");
            var buffer = "";
            while (true)
            {
                var ch = Read();
                if (ch == '\0')
                {
                    break;
                }
                if (!IsSpecialSymbol(ch))
                {
                    Unread();
                    break;
                }
                buffer += ch;
                if (Keywords.TryGetValue(buffer, out var tok))
                {
                    last = (tok, buffer);
                }
                else if (last.Tok != Token.Error)
                {
                    Unread();
                    break;
                }
            }
            return last.Tok == Token.Error ? (Token.Error, $"error expected: keyword found '{buffer}'") : last;
        }
    }
}
