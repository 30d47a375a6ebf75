//! A PostgreSQL lexer exact enough to split statements: `'…'` with `''`, `E'…'` escapes, dollar quotes
//! (`$$…$$`, `$tag$…$tag$`), quoted identifiers, `--` and nested `/* */` comments, psql meta-commands.
//! It never fails: unterminated constructs run to end of input and are reported.

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Keyword or unquoted identifier.
    Word,
    /// `"quoted identifier"`.
    QuotedIdent,
    /// Any string literal, including `E'…'` and dollar-quoted bodies.
    String,
    /// Dollar-quoted body (`$$ … $$`); also a string.
    DollarString,
    Number,
    /// `;` ends a statement.
    Semicolon,
    /// Any other punctuation or operator character.
    Punct,
    /// A psql meta-command line (`\c db`, `\set x 1`).
    MetaCommand,
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// A lexical problem: an unterminated string, identifier, comment or dollar quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub span: Span,
    pub message: String,
}

pub fn tokenize(text: &str) -> (Vec<Token>, Vec<LexError>) {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut errors = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b'\n' => {
                i += 1;
                line_start = true;
                continue;
            }
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'\\' if line_start => {
                i = line_end(bytes, i);
                TokenKind::MetaCommand
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = line_end(bytes, i);
                TokenKind::Comment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i, &mut errors);
                TokenKind::Comment
            }
            b'\'' => {
                i = quoted_end(bytes, i, b'\'', false, "string literal", &mut errors);
                TokenKind::String
            }
            b'"' => {
                i = quoted_end(bytes, i, b'"', false, "quoted identifier", &mut errors);
                TokenKind::QuotedIdent
            }
            b'e' | b'E' if bytes.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(
                    bytes,
                    i + 1,
                    b'\'',
                    true,
                    "escape string literal",
                    &mut errors,
                );
                TokenKind::String
            }
            b'$' => match dollar_tag(bytes, i) {
                Some(tag_end) => {
                    i = dollar_body_end(bytes, i, tag_end, &mut errors);
                    TokenKind::DollarString
                }
                None => {
                    // `$1` parameter or a lone `$`.
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                    TokenKind::Punct
                }
            },
            b';' => {
                i += 1;
                TokenKind::Semicolon
            }
            b'0'..=b'9' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    i += 1;
                }
                TokenKind::Number
            }
            _ if is_ident_start(b) => {
                while i < bytes.len() && is_ident_continue(bytes[i]) {
                    i += 1;
                }
                TokenKind::Word
            }
            _ => {
                // One char (possibly multi-byte) of punctuation.
                i += utf8_len(b);
                TokenKind::Punct
            }
        };
        line_start = false;
        let end = i.min(bytes.len());
        tokens.push(Token {
            kind,
            span: Span::new(start, end),
        });
        i = end;
    }
    (tokens, errors)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn block_comment_end(bytes: &[u8], from: usize, errors: &mut Vec<LexError>) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    errors.push(LexError {
        span: Span::new(from, from + 2),
        message: "unterminated block comment".into(),
    });
    bytes.len()
}

/// End of a quoted run starting at `from` (the opening quote). A doubled quote is an escaped quote;
/// with `backslash`, `\` escapes the next byte (E-strings).
fn quoted_end(
    bytes: &[u8],
    from: usize,
    quote: u8,
    backslash: bool,
    what: &str,
    errors: &mut Vec<LexError>,
) -> usize {
    let mut i = from + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    errors.push(LexError {
        span: Span::new(from, from + 1),
        message: format!("unterminated {what}"),
    });
    bytes.len()
}

/// If a dollar-quote opening tag starts at `from`, the index just after it.
fn dollar_tag(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from + 1;
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    while i < bytes.len() {
        match bytes[i] {
            b'$' => return Some(i + 1),
            b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => i += 1,
            _ => return None,
        }
    }
    None
}

fn dollar_body_end(bytes: &[u8], from: usize, tag_end: usize, errors: &mut Vec<LexError>) -> usize {
    let tag = &bytes[from..tag_end];
    let body = &bytes[tag_end..];
    match body.windows(tag.len()).position(|w| w == tag) {
        Some(p) => tag_end + p + tag.len(),
        None => {
            errors.push(LexError {
                span: Span::new(from, tag_end),
                message: format!(
                    "unterminated dollar-quoted string {}",
                    String::from_utf8_lossy(tag)
                ),
            });
            bytes.len()
        }
    }
}

/// One statement: its tokens (comments excluded) and the span from its first token to its `;`.
#[derive(Debug, Clone)]
pub struct RawStatement {
    pub span: Span,
    pub tokens: Vec<Token>,
}

/// Groups tokens into statements at top-level `;`. psql meta-commands end the current statement and
/// are returned separately.
pub fn split(tokens: &[Token]) -> (Vec<RawStatement>, Vec<Span>) {
    let mut statements = Vec::new();
    let mut meta = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let flush = |current: &mut Vec<Token>, statements: &mut Vec<RawStatement>| {
        if let (Some(first), Some(last)) = (current.first(), current.last()) {
            statements.push(RawStatement {
                span: Span::new(first.span.start, last.span.end),
                tokens: std::mem::take(current),
            });
        }
        current.clear();
    };
    for token in tokens {
        match token.kind {
            TokenKind::Comment => {}
            TokenKind::MetaCommand => {
                flush(&mut current, &mut statements);
                meta.push(token.span);
            }
            TokenKind::Semicolon => {
                if !current.is_empty() {
                    current.push(*token);
                }
                flush(&mut current, &mut statements);
            }
            _ => current.push(*token),
        }
    }
    flush(&mut current, &mut statements);
    (statements, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(text: &str) -> Vec<&str> {
        let (tokens, errors) = tokenize(text);
        assert!(errors.is_empty(), "{errors:?}");
        split(&tokens)
            .0
            .iter()
            .map(|s| &text[s.span.range()])
            .collect()
    }

    #[test]
    fn splits_respecting_quotes_comments_and_dollar_bodies() {
        let sql = "create table a(x text default 'a;''b');\n-- c; d\n/* x /* nested; */ y; */\n\
                   do $body$ begin execute 'x;'; end $body$;\nselect E'it\\'s;', \"we;ird\";\nselect $$;$$";
        assert_eq!(
            statements(sql),
            vec![
                "create table a(x text default 'a;''b');",
                "do $body$ begin execute 'x;'; end $body$;",
                "select E'it\\'s;', \"we;ird\";",
                "select $$;$$",
            ]
        );
    }

    #[test]
    fn meta_commands_are_separate() {
        let (tokens, _) = tokenize("\\c mydb\ncreate table t();\n\\set x 1\n");
        let (stmts, meta) = split(&tokens);
        assert_eq!(stmts.len(), 1);
        assert_eq!(meta, vec![Span::new(0, 7), Span::new(26, 34)]);
    }

    #[test]
    fn unterminated_constructs_are_errors_not_panics() {
        for text in [
            "select 'abc",
            "select \"abc",
            "/* open",
            "do $x$ begin",
            "select E'\\",
        ] {
            let (_, errors) = tokenize(text);
            assert_eq!(errors.len(), 1, "{text}");
        }
        let (tokens, errors) = tokenize("$1 $ é ;");
        assert!(errors.is_empty());
        assert_eq!(tokens.len(), 4);
    }
}
