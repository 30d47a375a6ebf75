//! Word splitting and variable substitution as the Dockerfile frontend does them: quotes and the
//! escape character group words; `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` (and the
//! `-`, `+`, `:?`, `?` forms) are expanded against a scope that knows which values are unknowable
//! before build time.

use std::ops::Range;

/// A whitespace-separated word of an instruction's logical text, quotes kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawWord {
    /// Byte range into the logical text.
    pub range: Range<usize>,
}

/// Splits `text` into words on unquoted whitespace. Quotes and escapes stay in the words (they are
/// processed by [`expand`]). An unterminated quote ends the last word at the end of the text; the
/// returned flag reports it.
pub fn split_words(text: &str, escape: char) -> (Vec<RawWord>, bool) {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push(RawWord { range: s..i });
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        match quote {
            Some(q) if c == q => quote = None,
            // Inside single quotes the escape character is literal.
            Some('\'') => {}
            _ if c == escape => {
                chars.next();
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(RawWord {
            range: s..text.len(),
        });
    }
    (words, quote.is_some())
}

/// What a scope knows about a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Set to this value (a default counts: it is what a plain build uses).
    Known(String),
    /// Declared, but its value is only known at build time (`ARG NAME` without a default).
    Unknown,
    /// Not declared: expands to the empty string.
    Unset,
}

/// The result of processing one word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expanded {
    pub value: String,
    /// Variables whose value could not be known statically and changed the result.
    pub unresolved: Vec<String>,
    /// A syntax problem (unterminated quote or `${`), with its byte offset in the word.
    pub error: Option<(usize, String)>,
}

impl Expanded {
    pub fn is_resolved(&self) -> bool {
        self.unresolved.is_empty() && self.error.is_none()
    }
}

/// Unquotes `word` and substitutes variables through `lookup`.
pub fn expand(word: &str, escape: char, lookup: &dyn Fn(&str) -> Lookup) -> Expanded {
    expand_at(word, escape, lookup, 0)
}

/// Nesting bound for `${A:-${B:-...}}`, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

fn expand_at(word: &str, escape: char, lookup: &dyn Fn(&str) -> Lookup, depth: usize) -> Expanded {
    let mut out = Expanded::default();
    let bytes: Vec<(usize, char)> = word.char_indices().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < bytes.len() {
        let c = bytes[i].1;
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.value.push(c);
                }
                i += 1;
            }
            _ if c == escape => {
                match bytes.get(i + 1) {
                    Some(&(_, next)) => {
                        // Inside double quotes only a few characters are escapable.
                        if quote == Some('"') && !matches!(next, '"' | '$') && next != escape {
                            out.value.push(c);
                        }
                        out.value.push(next);
                    }
                    None => out.value.push(c),
                }
                i += 2;
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                i += 1;
            }
            Some('"') if c == '"' => {
                quote = None;
                i += 1;
            }
            _ if c == '$' => {
                if depth >= MAX_DEPTH {
                    out.error =
                        Some((bytes[i].0, "variable substitution nested too deeply".into()));
                    return out;
                }
                i = expand_var(word, &bytes, i, escape, lookup, depth, &mut out);
            }
            _ => {
                out.value.push(c);
                i += 1;
            }
        }
    }
    if quote.is_some() && out.error.is_none() {
        out.error = Some((0, "unterminated quote".into()));
    }
    out
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the variable reference at `bytes[i]` (a `$`) and returns the index after it.
fn expand_var(
    word: &str,
    bytes: &[(usize, char)],
    i: usize,
    escape: char,
    lookup: &dyn Fn(&str) -> Lookup,
    depth: usize,
    out: &mut Expanded,
) -> usize {
    let Some(&(_, next)) = bytes.get(i + 1) else {
        out.value.push('$');
        return i + 1;
    };
    if is_name_start(next) {
        let mut j = i + 1;
        while j < bytes.len() && is_name_char(bytes[j].1) {
            j += 1;
        }
        let end = bytes.get(j).map_or(word.len(), |b| b.0);
        let name = &word[bytes[i + 1].0..end];
        push_lookup(name, lookup(name), out);
        return j;
    }
    if next != '{' {
        out.value.push('$');
        return i + 1;
    }
    // ${NAME[op word]}: find the matching brace, honouring nesting in the modifier word.
    let mut braces = 0usize;
    let mut j = i + 1;
    let mut close = None;
    while j < bytes.len() {
        let c = bytes[j].1;
        if c == escape {
            j += 2;
            continue;
        }
        if c == '{' {
            braces += 1;
        } else if c == '}' {
            braces -= 1;
            if braces == 0 {
                close = Some(j);
                break;
            }
        }
        j += 1;
    }
    let Some(close) = close else {
        out.error = Some((bytes[i].0, "missing `}` in variable substitution".into()));
        return bytes.len();
    };
    let inner = &word[bytes[i + 2].0.min(bytes[close].0)..bytes[close].0];
    let name_len = inner
        .find(|c: char| !is_name_char(c))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    if name.is_empty() || !name.starts_with(is_name_start) {
        out.error = Some((bytes[i].0, format!("bad substitution `${{{inner}}}`")));
        return close + 1;
    }
    let value = lookup(name);
    let (op, modifier) = if let Some(m) = rest.strip_prefix(":-") {
        (":-", m)
    } else if let Some(m) = rest.strip_prefix(":+") {
        (":+", m)
    } else if let Some(m) = rest.strip_prefix(":?") {
        (":?", m)
    } else if let Some(m) = rest.strip_prefix('-') {
        ("-", m)
    } else if let Some(m) = rest.strip_prefix('+') {
        ("+", m)
    } else if let Some(m) = rest.strip_prefix('?') {
        ("?", m)
    } else if rest.is_empty() {
        ("", "")
    } else {
        // Pattern operators (`#`, `%`, `/`) transform a value we cannot model exactly.
        ("other", rest)
    };
    let sub = |m: &str, out: &mut Expanded| {
        let e = expand_at(m, escape, lookup, depth + 1);
        out.value.push_str(&e.value);
        out.unresolved.extend(e.unresolved);
        if out.error.is_none() {
            out.error = e.error;
        }
    };
    match (op, value) {
        ("", v) => push_lookup(name, v, out),
        (":-", Lookup::Known(v)) if !v.is_empty() => out.value.push_str(&v),
        (":-", _) => sub(modifier, out),
        ("-", Lookup::Known(v)) => out.value.push_str(&v),
        ("-", _) => sub(modifier, out),
        (":+", Lookup::Known(v)) if !v.is_empty() => sub(modifier, out),
        (":+", Lookup::Known(_) | Lookup::Unset) => {}
        ("+", Lookup::Known(_)) => sub(modifier, out),
        ("+", Lookup::Unset) => {}
        (":?" | "?", Lookup::Known(v)) => out.value.push_str(&v),
        _ => out.unresolved.push(name.to_string()),
    }
    close + 1
}

fn push_lookup(name: &str, value: Lookup, out: &mut Expanded) {
    match value {
        Lookup::Known(v) => out.value.push_str(&v),
        Lookup::Unknown => out.unresolved.push(name.to_string()),
        Lookup::Unset => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str) -> Lookup {
        match name {
            "UID" => Lookup::Known("1000".into()),
            "EMPTY" => Lookup::Known(String::new()),
            "LATER" => Lookup::Unknown,
            _ => Lookup::Unset,
        }
    }

    fn ex(word: &str) -> Expanded {
        expand(word, '\\', &scope)
    }

    fn words(text: &str) -> Vec<&str> {
        split_words(text, '\\')
            .0
            .into_iter()
            .map(|w| &text[w.range])
            .collect()
    }

    #[test]
    fn splits_on_unquoted_whitespace() {
        assert_eq!(
            words(r#"a="x y"  b='p q' c=d\ e"#),
            vec![r#"a="x y""#, "b='p q'", r"c=d\ e"]
        );
        assert_eq!(words("  "), Vec::<&str>::new());
        assert!(split_words("a=\"open", '\\').1);
        assert_eq!(split_words("a=`\"b c", '`').0.len(), 2);
    }

    #[test]
    fn expands_all_forms() {
        assert_eq!(ex("$UID").value, "1000");
        assert_eq!(ex("${UID}:${UID}").value, "1000:1000");
        assert_eq!(ex("${NOPE:-65532}").value, "65532");
        assert_eq!(ex("${EMPTY:-7}").value, "7");
        assert_eq!(ex("${EMPTY-7}").value, "");
        assert_eq!(ex("${UID:+root}").value, "root");
        assert_eq!(ex("${NOPE:+root}").value, "");
        assert_eq!(ex("${NOPE:-${UID}}").value, "1000");
        assert_eq!(ex("pre${UID}post").value, "pre1000post");
        assert_eq!(ex("$").value, "$");
        assert_eq!(ex("a$-b").value, "a$-b");
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(ex("'$UID'").value, "$UID");
        assert_eq!(ex("\"$UID x\"").value, "1000 x");
        assert_eq!(ex(r"\$UID").value, "$UID");
        assert_eq!(ex(r#""a\"b\n""#).value, "a\"b\\n");
        assert_eq!(expand("`$UID", '`', &scope).value, "$UID");
    }

    #[test]
    fn unknown_values_are_reported() {
        let e = ex("$LATER");
        assert_eq!(e.unresolved, vec!["LATER"]);
        assert!(!e.is_resolved());
        assert_eq!(ex("${LATER:-1000}").value, "1000");
        assert_eq!(ex("${LATER:+0}").unresolved, vec!["LATER"]);
        assert_eq!(ex("${UID%0}").unresolved, vec!["UID"]);
    }

    #[test]
    fn syntax_errors_do_not_panic() {
        assert!(ex("${UID").error.is_some());
        assert!(ex("${}").error.is_some());
        assert!(ex("${1x}").error.is_some());
        assert!(ex("\"open").error.is_some());
        assert_eq!(ex("é${UID}é").value, "é1000é");
        for s in ["${", "$", "${:", "\\", "'", "${a:-${", "${a:-}}"] {
            let _ = ex(s);
        }
        let deep = format!("{}x{}", "${NOPE:-".repeat(5_000), "}".repeat(5_000));
        assert!(ex(&deep).error.is_some());
    }
}
