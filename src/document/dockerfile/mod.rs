//! A Dockerfile parser faithful to the BuildKit frontend: parser directives (`# escape=`), line
//! continuations with either escape character, comments and empty lines inside continuations,
//! heredocs, exec and shell forms, flags, and stages with variable substitution.
//!
//! Parsing never fails: what cannot be understood becomes a [`ParseDiagnostic`] with a byte span,
//! and the instruction is kept with whatever could be read.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::source::Span;

pub mod image;
pub mod stages;
pub mod words;

pub use image::ImageRef;
pub use stages::{EffectiveUser, Principal, Stage, UserDecl, UserOrigin};

use words::{RawWord, split_words};

/// The parsed model of one Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// The escape character: `\` unless a `# escape=` directive says `` ` ``.
    pub escape: char,
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    /// Build stages, one per `FROM`, in order.
    pub stages: Vec<Stage>,
    /// Indices of the `ARG` instructions before the first `FROM` (the scope of `FROM` lines).
    pub global_args: Vec<usize>,
    pub diagnostics: Vec<ParseDiagnostic>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1` or `# escape=``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// Something the parser could not accept, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDiagnostic {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Keyword {
    fn parse(word: &str) -> Keyword {
        match word.to_ascii_uppercase().as_str() {
            "ADD" => Keyword::Add,
            "ARG" => Keyword::Arg,
            "CMD" => Keyword::Cmd,
            "COPY" => Keyword::Copy,
            "ENTRYPOINT" => Keyword::Entrypoint,
            "ENV" => Keyword::Env,
            "EXPOSE" => Keyword::Expose,
            "FROM" => Keyword::From,
            "HEALTHCHECK" => Keyword::Healthcheck,
            "LABEL" => Keyword::Label,
            "MAINTAINER" => Keyword::Maintainer,
            "ONBUILD" => Keyword::Onbuild,
            "RUN" => Keyword::Run,
            "SHELL" => Keyword::Shell,
            "STOPSIGNAL" => Keyword::Stopsignal,
            "USER" => Keyword::User,
            "VOLUME" => Keyword::Volume,
            "WORKDIR" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    /// Flags BuildKit accepts on this instruction; `None` when it takes no flags at all.
    fn known_flags(self) -> Option<&'static [&'static str]> {
        match self {
            Keyword::From => Some(&["platform"]),
            Keyword::Run => Some(&["mount", "network", "security", "device"]),
            Keyword::Copy => Some(&["from", "chown", "chmod", "link", "parents", "exclude"]),
            Keyword::Add => Some(&[
                "chown",
                "chmod",
                "checksum",
                "keep-git-dir",
                "link",
                "exclude",
                "unpack",
            ]),
            Keyword::Healthcheck => Some(&[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ]),
            _ => None,
        }
    }

    fn takes_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

/// An instruction's text with continuations joined and comment lines removed, mapped back to
/// source offsets.
#[derive(Debug, Clone, Default)]
pub struct Logical {
    pub text: String,
    /// `(logical offset, source offset)` where each copied piece starts.
    segments: Vec<(usize, usize)>,
    /// Source offset just past the last copied byte.
    end: usize,
}

impl Logical {
    fn push(&mut self, piece: &str, source_start: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), source_start));
        self.text.push_str(piece);
        self.end = source_start + piece.len();
    }

    /// Source offset of logical offset `at`.
    pub fn to_source(&self, at: usize) -> usize {
        if at >= self.text.len() {
            return self.end;
        }
        let i = self
            .segments
            .partition_point(|&(l, _)| l <= at)
            .saturating_sub(1);
        self.segments
            .get(i)
            .map_or(self.end, |&(l, s)| s + (at - l))
    }

    /// Source span of a logical range; a range across continuations covers the joined lines.
    pub fn span(&self, range: Range<usize>) -> Span {
        let start = self.to_source(range.start);
        if range.end <= range.start {
            return Span::empty(start);
        }
        let end = self.to_source(range.end - 1) + 1;
        Span::new(start, end.max(start))
    }
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A word of an instruction: its text as written (quotes kept) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub raw: String,
    pub span: Span,
}

/// One `key=value` (ENV, LABEL, ARG) or a bare `ARG name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Span,
    /// The value as written (quotes kept); `None` for `ARG name` without a default.
    pub value: Option<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `["executable", "arg"]`: no shell is involved.
    Exec(Vec<String>),
    /// Shell form: the logical text, run by the stage's shell.
    Shell { text: String, span: Span },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    From {
        image: Word,
        alias: Option<Word>,
    },
    /// ENV, ARG and LABEL.
    KeyValues(Vec<KeyValue>),
    User(Word),
    /// RUN, CMD, ENTRYPOINT and SHELL.
    Command(Command),
    /// COPY and ADD. Heredoc sources appear as words like `<<EOF`.
    Copy {
        sources: Vec<Word>,
        dest: Option<Word>,
    },
    /// `None` is `HEALTHCHECK NONE`.
    Healthcheck(Option<Command>),
    /// Anything whose arguments no rule needs structured (EXPOSE, WORKDIR, ...).
    Other,
}

/// An inline document: `<<EOF` ... `EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// `<<-EOF`: leading tabs are stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// `<<"EOF"` / `<<'EOF'`: no variable expansion in the body.
    pub quoted: bool,
    /// The `<<EOF` word.
    pub marker: Span,
    /// The body lines, without the terminator line.
    pub body: Span,
    /// The body text (tabs stripped for `<<-`).
    pub content: String,
    pub terminated: bool,
}

#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (`run`, `Run`, ...).
    pub keyword_text: String,
    pub keyword_span: Span,
    /// From the keyword to the end of the logical line (without heredoc bodies).
    pub span: Span,
    /// `span` extended over heredoc bodies and terminators.
    pub full_span: Span,
    pub logical: Logical,
    /// Logical range of the arguments after the keyword and flags.
    pub args: Range<usize>,
    pub flags: Vec<Flag>,
    pub heredocs: Vec<Heredoc>,
    pub body: Body,
}

impl Instruction {
    pub fn args_text(&self) -> &str {
        &self.logical.text[self.args.clone()]
    }

    pub fn args_span(&self) -> Span {
        self.logical.span(self.args.clone())
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

const KNOWN_DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$")
        .unwrap_or_else(|_| unreachable!())
});
static HEREDOC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]*<<(-?)([^<]+)$").unwrap_or_else(|_| unreachable!()));
static STAGE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z][a-zA-Z0-9_.-]*$").unwrap_or_else(|_| unreachable!()));

/// Physical lines: `(start, end without line terminator, start of the next line)`.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for Lines<'_> {
    type Item = (usize, usize, usize);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let (mut end, next) = match self.text[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (self.text.len(), self.text.len()),
        };
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        self.pos = next;
        Some((start, end, next))
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Parses a Dockerfile. Never panics; problems are in `diagnostics`.
pub fn parse(text: &str) -> Dockerfile {
    let mut parser = Parser {
        text,
        escape: '\\',
        diagnostics: Vec::new(),
    };
    let mut lines = Lines { text, pos: 0 };
    let directives = parser.directives(&mut lines);
    let mut instructions = Vec::new();
    while let Some((start, end, _)) = lines.next() {
        let line = &text[start..end];
        if line.trim().is_empty() || is_comment(line) {
            continue;
        }
        instructions.push(parser.instruction(start, end, &mut lines));
    }
    if instructions.is_empty() {
        parser.error(Span::empty(0), "the Dockerfile has no instructions");
    }
    let mut df = Dockerfile {
        escape: parser.escape,
        directives,
        instructions,
        stages: Vec::new(),
        global_args: Vec::new(),
        diagnostics: parser.diagnostics,
    };
    stages::build(&mut df);
    df.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    df
}

struct Parser<'a> {
    text: &'a str,
    escape: char,
    diagnostics: Vec<ParseDiagnostic>,
}

impl Parser<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(ParseDiagnostic {
            span,
            message: message.into(),
        });
    }

    /// Reads the parser directives at the top of the file. They end at the first line that is not
    /// a directive (a blank line, any other comment, an instruction), which is left unconsumed.
    fn directives(&mut self, lines: &mut Lines<'_>) -> Vec<Directive> {
        let mut out: Vec<Directive> = Vec::new();
        loop {
            let saved = lines.pos;
            let Some((start, end, _)) = lines.next() else {
                break;
            };
            let line = &self.text[start..end];
            let Some(caps) = DIRECTIVE.captures(line) else {
                lines.pos = saved;
                break;
            };
            let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
                lines.pos = saved;
                break;
            };
            let lname = name.as_str().to_ascii_lowercase();
            if !KNOWN_DIRECTIVES.contains(&lname.as_str()) {
                // An unknown directive is a comment, and a comment ends the directive block.
                lines.pos = saved;
                break;
            }
            let span = Span::new(start, end);
            if out.iter().any(|d| d.name == lname) {
                self.error(
                    span,
                    format!("the `{lname}` parser directive can only be used once"),
                );
            } else if lname == "escape" {
                match value.as_str() {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    other => self.error(
                        Span::new(start + value.start(), start + value.end()),
                        format!("invalid escape character `{other}`: it must be `\\` or `` ` ``"),
                    ),
                }
            }
            out.push(Directive {
                name: lname,
                value: value.as_str().to_string(),
                span,
            });
        }
        out
    }

    /// Reads one instruction starting on the physical line `start..end`, its continuation lines
    /// and its heredoc bodies.
    fn instruction(&mut self, start: usize, end: usize, lines: &mut Lines<'_>) -> Instruction {
        let mut logical = Logical::default();
        let (mut piece_end, mut continues) = self.continuation(start, end);
        logical.push(&self.text[start..piece_end], start);
        let mut last_end = end;
        while continues {
            let Some((s, e, _)) = lines.next() else { break };
            let line = &self.text[s..e];
            // Empty lines and comment lines inside a continuation are dropped.
            if line.trim().is_empty() || is_comment(line) {
                continue;
            }
            (piece_end, continues) = self.continuation(s, e);
            logical.push(&self.text[s..piece_end], s);
            last_end = e;
        }

        let text = logical.text.clone();
        let lead = text.len() - text.trim_start().len();
        let kw_end = text[lead..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| lead + i);
        let keyword_text = text[lead..kw_end].to_string();
        let keyword = Keyword::parse(&keyword_text);
        let keyword_span = logical.span(lead..kw_end);
        let line_span = Span::new(keyword_span.start, last_end.max(keyword_span.end));
        if keyword == Keyword::Unknown {
            self.error(
                keyword_span,
                format!("unknown instruction `{keyword_text}`"),
            );
        }

        let (flags, args_start) = self.flags(keyword, &logical, kw_end);
        let args_end = text.trim_end().len().max(args_start);
        let args = args_start..args_end;

        let mut instr = Instruction {
            keyword,
            keyword_text,
            keyword_span,
            span: line_span,
            full_span: line_span,
            logical,
            args,
            flags,
            heredocs: Vec::new(),
            body: Body::Other,
        };
        instr.body = self.body(&instr);
        if keyword.takes_heredocs() && !matches!(instr.body, Body::Command(Command::Exec(_))) {
            self.heredocs(&mut instr, lines);
        }
        instr
    }

    /// Whether the physical line `start..end` ends with the escape character (trailing blanks
    /// allowed), and where its content ends.
    fn continuation(&self, start: usize, end: usize) -> (usize, bool) {
        let line = &self.text[start..end];
        let trimmed = line.trim_end_matches([' ', '\t']);
        if trimmed.ends_with(self.escape) && !is_comment_only(trimmed) {
            (start + trimmed.len() - self.escape.len_utf8(), true)
        } else {
            (end, false)
        }
    }

    /// Leading `--flag[=value]` words, for instructions that take flags.
    fn flags(&mut self, keyword: Keyword, logical: &Logical, from: usize) -> (Vec<Flag>, usize) {
        let mut flags = Vec::new();
        let text = &logical.text;
        let mut pos = from;
        let Some(known) = keyword.known_flags() else {
            return (flags, skip_ws(text, pos));
        };
        loop {
            pos = skip_ws(text, pos);
            if !text[pos..].starts_with("--") {
                break;
            }
            let (words, _) = split_words(&text[pos..], self.escape);
            let Some(RawWord { range }) = words.into_iter().next() else {
                break;
            };
            let range = pos + range.start..pos + range.end;
            let word = &text[range.clone()];
            let span = logical.span(range.clone());
            pos = range.end;
            if word == "--" {
                break;
            }
            let (name, value) = match word[2..].split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (word[2..].to_string(), None),
            };
            if !known.iter().any(|k| k.eq_ignore_ascii_case(&name)) {
                self.error(
                    span,
                    format!("unknown flag `--{name}` for {}", keyword_name(keyword)),
                );
            }
            flags.push(Flag { name, value, span });
        }
        (flags, pos)
    }

    fn body(&mut self, instr: &Instruction) -> Body {
        let args = instr.args_text();
        let name = keyword_name(instr.keyword);
        let requires_args = !matches!(
            instr.keyword,
            Keyword::Cmd | Keyword::Entrypoint | Keyword::Unknown
        );
        if args.is_empty() && requires_args {
            self.error(
                instr.keyword_span,
                format!("{name} requires at least one argument"),
            );
            return Body::Other;
        }
        match instr.keyword {
            Keyword::From => {
                let (ws, open) = self.words(instr);
                if open {
                    self.error(instr.args_span(), "unterminated quote");
                }
                match ws.as_slice() {
                    [image] => Body::From {
                        image: image.clone(),
                        alias: None,
                    },
                    [image, kw, alias] if kw.raw.eq_ignore_ascii_case("as") => {
                        if !STAGE_NAME.is_match(&alias.raw) {
                            self.error(
                                alias.span,
                                format!("invalid stage name `{}`: use letters, digits, `-`, `_` and `.`, starting with a letter", alias.raw),
                            );
                        }
                        Body::From {
                            image: image.clone(),
                            alias: Some(alias.clone()),
                        }
                    }
                    [image, ..] => {
                        self.error(
                            instr.args_span(),
                            "FROM takes an image and an optional `AS name`",
                        );
                        Body::From {
                            image: image.clone(),
                            alias: None,
                        }
                    }
                    [] => Body::Other,
                }
            }
            Keyword::Env | Keyword::Label => self.key_values(instr, true),
            Keyword::Arg => self.key_values(instr, false),
            Keyword::User => {
                let (ws, open) = self.words(instr);
                if open {
                    self.error(instr.args_span(), "unterminated quote");
                }
                if ws.len() > 1 {
                    self.error(
                        instr.args_span(),
                        "USER takes exactly one argument: `user[:group]`",
                    );
                }
                ws.into_iter().next().map_or(Body::Other, Body::User)
            }
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint => Body::Command(command(instr)),
            Keyword::Shell => {
                let cmd = command(instr);
                if !matches!(cmd, Command::Exec(ref v) if !v.is_empty()) {
                    self.error(
                        instr.args_span(),
                        "SHELL requires the JSON form, e.g. `SHELL [\"/bin/bash\", \"-c\"]`",
                    );
                }
                Body::Command(cmd)
            }
            Keyword::Copy | Keyword::Add => {
                let mut ws = match parse_json_array(args) {
                    Some(items) => items
                        .into_iter()
                        .map(|raw| Word {
                            raw,
                            span: instr.args_span(),
                        })
                        .collect(),
                    None => self.words(instr).0,
                };
                if ws.len() < 2 {
                    self.error(
                        instr.args_span(),
                        format!(
                            "{name} requires at least two arguments: sources and a destination"
                        ),
                    );
                }
                let dest = if ws.len() >= 2 { ws.pop() } else { None };
                Body::Copy { sources: ws, dest }
            }
            Keyword::Healthcheck => {
                let (ws, _) = self.words(instr);
                match ws.first() {
                    Some(w) if w.raw.eq_ignore_ascii_case("none") && ws.len() == 1 => {
                        Body::Healthcheck(None)
                    }
                    Some(w) if w.raw.eq_ignore_ascii_case("cmd") && ws.len() > 1 => {
                        let ranges = self.word_ranges(instr);
                        let start = ranges.get(1).map_or(instr.args.end, |r| r.start);
                        Body::Healthcheck(Some(command_at(instr, start..instr.args.end)))
                    }
                    _ => {
                        self.error(
                            instr.args_span(),
                            "HEALTHCHECK takes `NONE` or `[options] CMD command`",
                        );
                        Body::Other
                    }
                }
            }
            _ => Body::Other,
        }
    }

    /// Logical ranges of the argument words.
    fn word_ranges(&self, instr: &Instruction) -> Vec<Range<usize>> {
        let base = instr.args.start;
        let (raw, _) = split_words(instr.args_text(), self.escape);
        raw.into_iter()
            .map(|w| base + w.range.start..base + w.range.end)
            .collect()
    }

    /// Splits the arguments into words with source spans; the flag reports an unterminated quote.
    fn words(&self, instr: &Instruction) -> (Vec<Word>, bool) {
        let (_, open) = split_words(instr.args_text(), self.escape);
        let words = self
            .word_ranges(instr)
            .into_iter()
            .map(|range| Word {
                raw: instr.logical.text[range.clone()].to_string(),
                span: instr.logical.span(range),
            })
            .collect();
        (words, open)
    }

    /// ENV/LABEL (`legacy` allows the old `KEY value with spaces` form) and ARG.
    fn key_values(&mut self, instr: &Instruction, legacy: bool) -> Body {
        let (ws, open) = self.words(instr);
        let name = keyword_name(instr.keyword);
        if open {
            self.error(instr.args_span(), "unterminated quote");
        }
        let ranges = self.word_ranges(instr);
        let Some(first) = ws.first() else {
            return Body::KeyValues(Vec::new());
        };
        if legacy && !first.raw.contains('=') {
            // `ENV KEY value with spaces`: everything after the key is the value.
            let Some(second) = ranges.get(1) else {
                self.error(
                    instr.args_span(),
                    format!(
                        "{name} `{}` has no value: write `{}=value`",
                        first.raw, first.raw
                    ),
                );
                return Body::KeyValues(Vec::new());
            };
            let value = second.start..instr.args.end;
            return Body::KeyValues(vec![KeyValue {
                key: first.raw.clone(),
                key_span: first.span,
                value: Some(Word {
                    raw: instr.logical.text[value.clone()].to_string(),
                    span: instr.logical.span(value),
                }),
            }]);
        }
        let mut out = Vec::new();
        for (w, range) in ws.into_iter().zip(ranges) {
            match w.raw.split_once('=') {
                Some((key, value)) => {
                    if key.is_empty() {
                        self.error(w.span, format!("{name} names can not be blank"));
                        continue;
                    }
                    let key_end = range.start + key.len();
                    out.push(KeyValue {
                        key: key.to_string(),
                        key_span: instr.logical.span(range.start..key_end),
                        value: Some(Word {
                            raw: value.to_string(),
                            span: instr.logical.span(key_end + 1..range.end),
                        }),
                    });
                }
                None if !legacy => out.push(KeyValue {
                    key: w.raw.clone(),
                    key_span: w.span,
                    value: None,
                }),
                None => self.error(
                    w.span,
                    format!(
                        "{name} `{}` has no `=`: every word must be `KEY=value`",
                        w.raw
                    ),
                ),
            }
        }
        Body::KeyValues(out)
    }

    /// Reads the bodies of the heredocs announced on the instruction line, in order.
    fn heredocs(&mut self, instr: &mut Instruction, lines: &mut Lines<'_>) {
        let (ws, _) = self.words(instr);
        for w in ws {
            let Some(caps) = HEREDOC.captures(&w.raw) else {
                continue;
            };
            let strip_tabs = caps.get(1).is_some_and(|m| !m.as_str().is_empty());
            let raw_name = caps.get(2).map_or("", |m| m.as_str());
            let (name, quoted) = unquote_heredoc_name(raw_name);
            if name.is_empty() {
                continue;
            }
            let body_start = lines.pos;
            let mut content = String::new();
            let mut body_end = body_start;
            let mut terminated = false;
            for (s, e, next) in lines.by_ref() {
                let line = &self.text[s..e];
                let cmp = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if cmp == name {
                    terminated = true;
                    instr.full_span = instr.full_span.cover(Span::new(s, e));
                    break;
                }
                content.push_str(cmp);
                content.push('\n');
                body_end = next;
                instr.full_span = instr.full_span.cover(Span::new(s, e));
            }
            if !terminated {
                self.error(
                    w.span,
                    format!("heredoc `{name}` is never terminated: add a line `{name}`"),
                );
            }
            instr.heredocs.push(Heredoc {
                name,
                strip_tabs,
                quoted,
                marker: w.span,
                body: Span::new(body_start.min(body_end), body_end),
                content,
                terminated,
            });
        }
    }
}

fn is_comment_only(line: &str) -> bool {
    // A comment line never continues (it is dropped whole).
    line.trim_start().starts_with('#')
}

fn skip_ws(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    from + (text[from..].len() - text[from..].trim_start().len())
}

fn unquote_heredoc_name(raw: &str) -> (String, bool) {
    for q in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return (inner.to_string(), true);
        }
    }
    if raw.contains(['"', '\'']) {
        return (raw.replace(['"', '\''], ""), true);
    }
    (raw.to_string(), false)
}

fn keyword_name(keyword: Keyword) -> String {
    format!("{keyword:?}").to_ascii_uppercase()
}

fn parse_json_array(args: &str) -> Option<Vec<String>> {
    if !args.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(args).ok()
}

fn command(instr: &Instruction) -> Command {
    command_at(instr, instr.args.clone())
}

fn command_at(instr: &Instruction, range: Range<usize>) -> Command {
    let text = instr.logical.text.get(range.clone()).unwrap_or_default();
    match parse_json_array(text) {
        Some(items) => Command::Exec(items),
        None => Command::Shell {
            text: text.to_string(),
            span: instr.logical.span(range),
        },
    }
}

#[cfg(test)]
mod tests;
