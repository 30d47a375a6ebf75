//! Span-aware YAML loading: an owned tree whose every key and value carries its byte span.
//!
//! Built on `saphyr-parser`'s event stream (the YAML 1.2 parser that succeeds yaml-rust): it reports
//! a span per event, so keys, values and containers all get positions, and we keep control of what
//! serde-based loaders hide: alias expansion (budgeted, so a "billion laughs" file is a diagnostic,
//! not a hang), nesting depth, merge keys, duplicate keys, and recovery (each `---` document is
//! parsed on its own so one broken document does not hide the others).
//!
//! saphyr counts positions in characters; [`CharToByte`] turns them into byte offsets.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::source::Span;

/// Limits that keep hostile input cheap.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest allowed nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to one document.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_alias_nodes: 100_000,
        }
    }
}

/// How a scalar was written; only plain scalars are resolved to booleans, numbers and null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar { value: String, style: Style },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// One YAML node. Nodes copied in by an alias keep the spans of the anchored original, which is
/// where a fix belongs.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

impl Node {
    fn scalar(span: Span, value: impl Into<String>, style: Style) -> Self {
        Self {
            span,
            kind: NodeKind::Scalar {
                value: value.into(),
                style,
            },
        }
    }

    /// The text of a scalar, or `None` for containers.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A plain scalar's text (unquoted), used for typed values.
    fn plain(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: Style::Plain,
            } => Some(value),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.plain(), Some("" | "~" | "null" | "Null" | "NULL"))
    }

    /// A boolean as Kubernetes reads it: its YAML loader (go-yaml v2) follows YAML 1.1, so `yes`,
    /// `on` and friends are booleans too.
    pub fn as_bool(&self) -> Option<bool> {
        match self.plain()? {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
            | "OFF" => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let text = self.plain()?.replace('_', "");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()?
        } else if let Some(oct) = digits.strip_prefix("0o") {
            i64::from_str_radix(oct, 8).ok()?
        } else {
            digits.parse::<i64>().ok()?
        };
        Some(if negative { -magnitude } else { magnitude })
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry under a string key. With duplicate keys (reported at load time) the last wins, as
    /// when Kubernetes decodes the JSON it converts YAML into.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .rev()
            .find(|entry| entry.key.as_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// Follows a path of string keys through nested mappings.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Number of nodes in this subtree (keys included).
    pub fn size(&self) -> usize {
        let mut count = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            count += 1;
            match &node.kind {
                NodeKind::Scalar { .. } => {}
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => {
                    for entry in entries {
                        stack.push(&entry.key);
                        stack.push(&entry.value);
                    }
                }
            }
        }
        count
    }
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlDocument {
    /// 0-based position of the document in the file, counting broken documents too.
    pub index: usize,
    pub root: Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The text is not YAML; the document is dropped.
    Syntax,
    /// Nesting deeper than [`Limits::max_depth`]; the document is dropped.
    TooDeep,
    /// Aliases would expand past [`Limits::max_alias_nodes`]; the document is dropped.
    AliasBudget,
    /// A mapping repeats a key; the document is kept (the last value wins).
    DuplicateKey,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub span: Span,
    pub message: String,
    /// The document it concerns (0-based), as in [`YamlDocument::index`].
    pub document: usize,
}

/// A whole file: the documents that loaded and what went wrong in the others.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YamlStream {
    pub documents: Vec<YamlDocument>,
    pub errors: Vec<YamlError>,
}

/// Loads every document of `text`. Never panics and never fails: broken documents become errors.
pub fn load(text: &str) -> YamlStream {
    load_with(text, Limits::default())
}

pub fn load_with(text: &str, limits: Limits) -> YamlStream {
    let mut stream = YamlStream::default();
    let mut next_index = 0;
    for (base, chunk) in split_documents(text) {
        let mut loader = Loader::new(chunk, base, limits, next_index);
        loader.run();
        next_index = loader.next_index;
        stream.documents.append(&mut loader.documents);
        stream.errors.append(&mut loader.errors);
    }
    stream
}

/// Splits the stream at `---` lines so that each document parses on its own: saphyr stops at the
/// first error, and a `---` at column 0 always starts a new document in YAML (it ends block scalars
/// too), so the split cannot cut a valid document. Chunks holding only directives, comments or
/// blank lines are joined to the next one, which they belong to.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut meaningful = false;
    for line in text.split_inclusive('\n') {
        let is_marker = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']));
        if is_marker && offset > 0 && meaningful {
            starts.push(offset);
            meaningful = false;
        }
        let trimmed = line.trim_start_matches('\u{feff}').trim();
        if is_marker
            || !(trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('%'))
        {
            meaningful = true;
        }
        offset += line.len();
    }
    let mut chunks = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        chunks.push((start, &text[start..end]));
    }
    chunks
}

/// Converts saphyr's character indices into byte offsets. Between two multi-byte characters every
/// character is one byte, so checkpoints after each multi-byte character suffice.
struct CharToByte {
    /// (char index, byte offset) pairs, ascending, starting with (0, 0).
    checkpoints: Vec<(usize, usize)>,
    len: usize,
}

impl CharToByte {
    fn new(text: &str) -> Self {
        let mut checkpoints = vec![(0, 0)];
        for (chars, (byte, ch)) in text.char_indices().enumerate() {
            if ch.len_utf8() > 1 {
                checkpoints.push((chars + 1, byte + ch.len_utf8()));
            }
        }
        Self {
            checkpoints,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let at = self
            .checkpoints
            .partition_point(|(chars, _)| *chars <= char_index);
        let (chars, byte) = self.checkpoints[at.saturating_sub(1)];
        (byte + (char_index - chars)).min(self.len)
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
        size: usize,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
        size: usize,
        merges: Vec<Node>,
    },
}

struct Loader<'a> {
    text: &'a str,
    base: usize,
    bytes: CharToByte,
    limits: Limits,
    documents: Vec<YamlDocument>,
    errors: Vec<YamlError>,
    next_index: usize,
}

/// Per-document state.
#[derive(Default)]
struct DocState {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    root: Option<Node>,
    /// Set when the document was given up on; events are skipped until its end.
    failed: bool,
}

impl<'a> Loader<'a> {
    fn new(text: &'a str, base: usize, limits: Limits, next_index: usize) -> Self {
        Self {
            text,
            base,
            bytes: CharToByte::new(text),
            limits,
            documents: Vec::new(),
            errors: Vec::new(),
            next_index,
        }
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(
            self.bytes.byte(span.start.index()) + self.base,
            self.bytes.byte(span.end.index()) + self.base,
        )
    }

    fn error(&mut self, kind: YamlErrorKind, span: Span, message: String) {
        self.errors.push(YamlError {
            kind,
            span,
            message,
            document: self.next_index,
        });
    }

    fn run(&mut self) {
        let mut parser = Parser::new_from_str(self.text);
        let mut doc = DocState::default();
        while let Some(result) = parser.next_event() {
            let (event, raw_span) = match result {
                Ok(event) => event,
                Err(err) => {
                    let mut at = self.bytes.byte(err.marker().index());
                    // an error at the end of the chunk belongs to the chunk's last character, not
                    // to the next document's `---`
                    if at >= self.text.len() {
                        at = self
                            .text
                            .trim_end()
                            .char_indices()
                            .last()
                            .map_or(0, |(i, _)| i);
                    }
                    let span = char_span_at(
                        self.base + self.text.len(),
                        at + self.base,
                        self.text,
                        self.base,
                    );
                    let message = format!("invalid YAML: {}", err.info());
                    self.error(YamlErrorKind::Syntax, span, message);
                    // whatever failed was (part of) one more document
                    self.next_index += 1;
                    return;
                }
            };
            let span = self.span(raw_span);
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
                Event::DocumentStart(_) => {
                    doc = DocState::default();
                }
                Event::DocumentEnd => {
                    if let (false, Some(root)) = (doc.failed, doc.root.take()) {
                        self.documents.push(YamlDocument {
                            index: self.next_index,
                            root,
                        });
                    }
                    self.next_index += 1;
                }
                _ if doc.failed => {}
                Event::SequenceStart(anchor, _) => {
                    if self.too_deep(&mut doc, span) {
                        continue;
                    }
                    doc.stack.push(Frame::Seq {
                        start: span.start,
                        anchor,
                        items: Vec::new(),
                        size: 1,
                    });
                }
                Event::MappingStart(anchor, _) => {
                    if self.too_deep(&mut doc, span) {
                        continue;
                    }
                    doc.stack.push(Frame::Map {
                        start: span.start,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                        size: 1,
                        merges: Vec::new(),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = doc.stack.pop() else {
                        continue;
                    };
                    let (node, anchor, size) = match frame {
                        Frame::Seq {
                            start,
                            anchor,
                            items,
                            size,
                        } => (
                            Node {
                                span: Span::new(start, span.end.max(start)),
                                kind: NodeKind::Seq(items),
                            },
                            anchor,
                            size,
                        ),
                        Frame::Map {
                            start,
                            anchor,
                            mut entries,
                            size,
                            merges,
                            ..
                        } => {
                            let added = apply_merges(&mut entries, merges);
                            (
                                Node {
                                    span: Span::new(start, span.end.max(start)),
                                    kind: NodeKind::Map(entries),
                                },
                                anchor,
                                size + added,
                            )
                        }
                    };
                    self.finish_node(&mut doc, node, anchor, size);
                }
                Event::Scalar(value, style, anchor, _) => {
                    let style = match style {
                        ScalarStyle::Plain => Style::Plain,
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                        ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                    };
                    self.finish_node(
                        &mut doc,
                        Node::scalar(span, value.into_owned(), style),
                        anchor,
                        1,
                    );
                }
                Event::Alias(id) => {
                    let Some((node, size)) = doc.anchors.get(&id) else {
                        continue;
                    };
                    if doc.expanded.saturating_add(*size) > self.limits.max_alias_nodes {
                        let message = format!(
                            "aliases expand this document past {} nodes (a \"billion laughs\" pattern?); the document was not checked",
                            self.limits.max_alias_nodes
                        );
                        self.error(YamlErrorKind::AliasBudget, span, message);
                        doc.failed = true;
                        doc.stack.clear();
                        continue;
                    }
                    let (node, size) = (node.clone(), *size);
                    doc.expanded += size;
                    self.finish_node(&mut doc, node, 0, size);
                }
            }
        }
    }

    fn too_deep(&mut self, doc: &mut DocState, span: Span) -> bool {
        if doc.stack.len() < self.limits.max_depth {
            return false;
        }
        let message = format!(
            "YAML nested deeper than {} levels; the document was not checked",
            self.limits.max_depth
        );
        self.error(YamlErrorKind::TooDeep, span, message);
        doc.failed = true;
        doc.stack.clear();
        true
    }

    /// Attaches a completed node to its parent (or makes it the document root).
    fn finish_node(&mut self, doc: &mut DocState, node: Node, anchor: usize, size: usize) {
        if anchor != 0 {
            doc.anchors.insert(anchor, (node.clone(), size));
        }
        match doc.stack.last_mut() {
            None => doc.root = Some(node),
            Some(Frame::Seq {
                items, size: total, ..
            }) => {
                *total += size;
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                key,
                size: total,
                merges,
                ..
            }) => {
                *total += size;
                match key.take() {
                    None => *key = Some(node),
                    Some(k)
                        if k.as_str() == Some("<<")
                            && matches!(
                                k.kind,
                                NodeKind::Scalar {
                                    style: Style::Plain,
                                    ..
                                }
                            ) =>
                    {
                        merges.push(node)
                    }
                    Some(k) => {
                        if let Some(name) = k.as_str() {
                            if let Some(first) =
                                entries.iter().find(|e| e.key.as_str() == Some(name))
                            {
                                let message = format!(
                                    "duplicate key `{name}` (first defined at byte {}); Kubernetes rejects this",
                                    first.key.span.start
                                );
                                self.errors.push(YamlError {
                                    kind: YamlErrorKind::DuplicateKey,
                                    span: k.span,
                                    message,
                                    document: self.next_index,
                                });
                            }
                        }
                        entries.push(Entry {
                            key: k,
                            value: node,
                        });
                    }
                }
            }
        }
    }
}

/// `<<` merge keys (YAML 1.1, honoured by Kubernetes): entries of the merged mappings are added
/// unless the mapping already has the key; earlier merged mappings win over later ones.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) -> usize {
    let mut added = 0;
    for merge in merges {
        let sources: Vec<Node> = match merge.kind {
            NodeKind::Map(_) => vec![merge],
            NodeKind::Seq(items) => items,
            NodeKind::Scalar { .. } => Vec::new(),
        };
        for source in sources {
            let NodeKind::Map(source_entries) = source.kind else {
                continue;
            };
            for entry in source_entries {
                let present = entry
                    .key
                    .as_str()
                    .is_some_and(|k| entries.iter().any(|e| e.key.as_str() == Some(k)));
                if !present {
                    added += entry.key.size() + entry.value.size();
                    entries.push(entry);
                }
            }
        }
    }
    added
}

/// A one-character span at `at` (empty at the end of the chunk), never splitting a character.
fn char_span_at(chunk_end: usize, at: usize, chunk: &str, base: usize) -> Span {
    let local = at.saturating_sub(base).min(chunk.len());
    let width = chunk[local..]
        .chars()
        .next()
        .filter(|c| *c != '\n')
        .map_or(0, char::len_utf8);
    Span::new(at.min(chunk_end), (at + width).min(chunk_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{LineCol, LineIndex};

    fn lc(text: &str, offset: usize) -> (usize, usize) {
        let LineCol { line, column } = LineIndex::new(text).line_col(offset, text);
        (line, column)
    }

    #[test]
    fn keys_and_values_have_exact_byte_spans_after_multibyte_chars() {
        let text = "\u{feff}名前: \"é q\"\nb:\n  - x\n  - {c: 1}\nd: |\n  lit\n";
        let stream = load(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        let name = &root.as_map().unwrap()[0];
        assert_eq!(&text[name.key.span.range()], "名前");
        assert_eq!(&text[name.value.span.range()], "\"é q\"");
        assert_eq!(name.value.as_str(), Some("é q"));
        let c = root.get("b").unwrap().as_seq().unwrap()[1]
            .entry("c")
            .unwrap();
        assert_eq!(lc(text, c.key.span.start), (4, 6));
        assert_eq!(&text[c.value.span.range()], "1");
        let d = root.entry("d").unwrap();
        assert_eq!(lc(text, d.key.span.start), (5, 1));
        assert_eq!(d.value.as_str(), Some("lit\n"));
    }

    #[test]
    fn multi_document_with_one_broken_document() {
        let text = "a: 1\n---\nb: [1, 2\n---\n# comment\nc: é\n";
        let stream = load(text);
        let indices: Vec<usize> = stream.documents.iter().map(|d| d.index).collect();
        assert_eq!(indices, vec![0, 2]);
        assert_eq!(
            stream.documents[1].root.get("c").and_then(Node::as_str),
            Some("é")
        );
        assert_eq!(stream.errors.len(), 1);
        let err = &stream.errors[0];
        assert_eq!(err.kind, YamlErrorKind::Syntax);
        assert_eq!(err.document, 1);
        assert!(err.message.contains("flow sequence"), "{}", err.message);
        // reported at the broken document's last character, not at the next `---`
        assert_eq!(lc(text, err.span.start), (3, 8));
        assert_eq!(&text[err.span.range()], "2");
    }

    #[test]
    fn directives_and_comments_stay_with_their_document() {
        let text = "# header\n%YAML 1.2\n---\nkind: Pod\n...\n---\nkind: Service\n";
        let stream = load(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        assert_eq!(stream.documents.len(), 2);
        assert_eq!(
            stream.documents[1].root.get("kind").and_then(Node::as_str),
            Some("Service")
        );
        assert_eq!(
            lc(
                text,
                stream.documents[1]
                    .root
                    .entry("kind")
                    .unwrap()
                    .key
                    .span
                    .start
            ),
            (7, 1)
        );
    }

    #[test]
    fn aliases_expand_and_merge_keys_apply() {
        let text = "base: &b\n  user: 1000\n  ro: true\nuse: *b\nmerged:\n  <<: *b\n  user: 0\n";
        let stream = load(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = &stream.documents[0].root;
        assert_eq!(
            root.path(&["use", "user"]).and_then(Node::as_i64),
            Some(1000)
        );
        let merged = root.get("merged").unwrap();
        assert_eq!(merged.get("user").and_then(Node::as_i64), Some(0));
        assert_eq!(merged.get("ro").and_then(Node::as_bool), Some(true));
        // copies keep the anchored original's position, where a fix belongs
        assert_eq!(lc(text, merged.entry("ro").unwrap().key.span.start), (3, 3));
        assert!(merged.get("<<").is_none());
    }

    #[test]
    fn billion_laughs_is_an_error_not_a_hang() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let refs = vec![format!("*a{}", level - 1); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        text.push_str("---\nok: 1\n");
        let started = std::time::Instant::now();
        let stream = load(&text);
        assert!(started.elapsed().as_secs() < 5);
        assert_eq!(stream.errors.len(), 1, "{:?}", stream.errors);
        assert_eq!(stream.errors[0].kind, YamlErrorKind::AliasBudget);
        assert!(stream.errors[0].message.contains("billion laughs"));
        // the next document still loads
        assert_eq!(stream.documents.len(), 1);
        assert_eq!(stream.documents[0].index, 1);
    }

    #[test]
    fn depth_limit_drops_only_that_document() {
        let deep = format!("{}1{}\n", "[".repeat(200), "]".repeat(200));
        let nested_block: String = (0..150)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        for bad in [deep, nested_block] {
            let text = format!("{bad}---\nfine: true\n");
            let stream = load(&text);
            assert_eq!(stream.documents.len(), 1);
            assert_eq!(
                stream.documents[0].root.get("fine").and_then(Node::as_bool),
                Some(true)
            );
            assert_eq!(stream.errors.len(), 1, "{:?}", stream.errors);
            assert!(matches!(
                stream.errors[0].kind,
                YamlErrorKind::TooDeep | YamlErrorKind::Syntax
            ));
        }
    }

    #[test]
    fn duplicate_keys_are_reported_and_last_wins() {
        let text = "a: 1\nb: 2\na: 3\n";
        let stream = load(text);
        assert_eq!(stream.errors.len(), 1);
        assert_eq!(stream.errors[0].kind, YamlErrorKind::DuplicateKey);
        assert_eq!(lc(text, stream.errors[0].span.start), (3, 1));
        assert_eq!(
            stream.documents[0].root.get("a").and_then(Node::as_i64),
            Some(3)
        );
    }

    #[test]
    fn typed_scalars_follow_kubernetes() {
        let stream = load("a: yes\nb: \"true\"\nc: 0x10\nd: -5\ne:\nf: ~\n");
        let root = &stream.documents[0].root;
        assert_eq!(root.get("a").and_then(Node::as_bool), Some(true));
        assert_eq!(root.get("b").and_then(Node::as_bool), None);
        assert_eq!(root.get("c").and_then(Node::as_i64), Some(16));
        assert_eq!(root.get("d").and_then(Node::as_i64), Some(-5));
        assert!(
            root.get("e").is_some_and(Node::is_null) && root.get("f").is_some_and(Node::is_null)
        );
    }

    #[test]
    fn json_loads_with_spans() {
        let text = "{\"kind\":\t\"Pod\",\n \"spec\": {\"hostPID\": true}}";
        let stream = load(text);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let entry = stream.documents[0]
            .root
            .get("spec")
            .unwrap()
            .entry("hostPID")
            .unwrap();
        assert_eq!(lc(text, entry.key.span.start), (2, 11));
        assert_eq!(entry.value.as_bool(), Some(true));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // Deterministic pseudo-random soup of YAML-significant characters.
        let alphabet: Vec<char> = "ab: -[]{}&*!|>'\"\n\n  #%,?é---...".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(state % 64) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let stream = load(&text);
            for err in &stream.errors {
                assert!(
                    err.span.end <= text.len()
                        && text.is_char_boundary(err.span.start)
                        && text.is_char_boundary(err.span.end)
                );
            }
        }
    }

    #[test]
    fn truncated_input_reports_at_the_end() {
        let text = "a: \"unterminated\n";
        let stream = load(text);
        assert!(stream.documents.is_empty());
        assert_eq!(stream.errors.len(), 1);
        assert!(stream.errors[0].span.end <= text.len());
    }
}
