//! Docker Compose files: the parts the container rules read (`services.<name>.user`,
//! `privileged` and `environment`), with byte spans.
//!
//! Built on `saphyr-parser`'s event stream. Anchors and aliases are expanded under a node budget and
//! `<<` merge keys are followed, because Compose files share settings through `x-` anchors.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::source::Span;

/// The parsed model of one Compose file.
#[derive(Debug, Clone, Default)]
pub struct ComposeFile {
    pub services: Vec<Service>,
    pub diagnostics: Vec<ComposeDiagnostic>,
    /// `${VAR}` / `$VAR` interpolations: variables the host environment (or `.env`) must provide.
    pub reads: Vec<crate::document::env::EnvRead>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeDiagnostic {
    pub span: Span,
    pub message: String,
}

/// A scalar value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub value: String,
    pub span: Span,
    /// Unquoted: YAML may read it as a boolean or number.
    pub plain: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub name_span: Span,
    pub user: Option<Scalar>,
    pub privileged: Option<Scalar>,
    pub environment: Vec<EnvEntry>,
}

/// One `environment:` entry, from the map form (`KEY: value`) or the list form (`- KEY=value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub key_span: Span,
    /// `None` when the value is passed through from the host (`KEY:` or `- KEY`).
    pub value: Option<String>,
    /// The scalar holding the value (for the list form, the whole `KEY=value` item).
    pub value_span: Option<Span>,
}

impl Scalar {
    /// A boolean as Compose reads it: compose-go also converts quoted strings (which is how
    /// interpolated values arrive) for boolean fields.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
            | "OFF" => Some(false),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Null,
}

impl Node {
    fn scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Entries of a map, with `<<` merge keys expanded after the map's own entries.
    fn entries(&self) -> Vec<(&Node, &Node)> {
        let Node::Map(entries) = self else {
            return Vec::new();
        };
        let mut own: Vec<(&Node, &Node)> = Vec::new();
        let mut merged: Vec<(&Node, &Node)> = Vec::new();
        for (k, v) in entries {
            if k.scalar().is_some_and(|s| s.value == "<<" && s.plain) {
                let sources: Vec<&Node> = match v {
                    Node::Seq(items) => items.iter().collect(),
                    other => vec![other],
                };
                for source in sources {
                    if let Node::Map(inner) = source {
                        merged.extend(inner.iter().map(|(a, b)| (a, b)));
                    }
                }
            } else {
                own.push((k, v));
            }
        }
        for (k, v) in merged {
            let name = k.scalar().map(|s| s.value.as_str());
            if !own
                .iter()
                .any(|(ok, _)| ok.scalar().map(|s| s.value.as_str()) == name)
            {
                own.push((k, v));
            }
        }
        own
    }

    fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .into_iter()
            .find(|(k, _)| k.scalar().is_some_and(|s| s.value == key))
            .map(|(_, v)| v)
    }
}

/// Bounds that keep hostile input cheap.
const MAX_DEPTH: usize = 64;
const MAX_ALIAS_NODES: usize = 50_000;

/// Parses a Compose file. Never panics; problems are in `diagnostics`.
pub fn parse(text: &str) -> ComposeFile {
    let mut out = ComposeFile {
        reads: crate::document::env::interpolations(text),
        ..ComposeFile::default()
    };
    let offsets = CharOffsets::new(text);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        docs: Vec::new(),
    };
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => {
                let span = Span::new(
                    offsets.byte(span.start.index()),
                    offsets.byte(span.end.index()),
                );
                if let Err(message) = builder.event(event, span) {
                    out.diagnostics.push(ComposeDiagnostic { span, message });
                    return out;
                }
            }
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                out.diagnostics.push(ComposeDiagnostic {
                    span: Span::new(at, end),
                    message: format!("invalid YAML: {}", e.info()),
                });
                return out;
            }
        }
    }
    for doc in &builder.docs {
        services(doc, &mut out);
    }
    out
}

fn services(doc: &Node, out: &mut ComposeFile) {
    let Some(services) = doc.get("services") else {
        return;
    };
    for (name, body) in services.entries() {
        let Some(name) = name.scalar() else { continue };
        let scalar = |key: &str| body.get(key).and_then(Node::scalar).cloned();
        let mut environment = Vec::new();
        match body.get("environment") {
            Some(map @ Node::Map(..)) => {
                for (k, v) in map.entries() {
                    let Some(k) = k.scalar() else { continue };
                    let value = v.scalar();
                    environment.push(EnvEntry {
                        key: k.value.clone(),
                        key_span: k.span,
                        value: value.map(|s| s.value.clone()),
                        value_span: value.map(|s| s.span),
                    });
                }
            }
            Some(Node::Seq(items)) => {
                for item in items.iter().filter_map(Node::scalar) {
                    let (key, value) = match item.value.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (item.value.clone(), None),
                    };
                    environment.push(EnvEntry {
                        key,
                        key_span: item.span,
                        value_span: value.as_ref().map(|_| item.span),
                        value,
                    });
                }
            }
            _ => {}
        }
        out.services.push(Service {
            name: name.value.clone(),
            name_span: name.span,
            user: scalar("user"),
            privileged: scalar("privileged"),
            environment,
        });
    }
}

enum Frame {
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize),
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    docs: Vec<Node>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), String> {
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let node = if style == ScalarStyle::Plain
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Node::Null
                } else {
                    Node::Scalar(Scalar {
                        value: Cow::into_owned(value),
                        span,
                        plain: style == ScalarStyle::Plain,
                    })
                };
                self.push(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.depth_check(span)?;
                self.stack.push(Frame::Seq(Vec::new(), anchor));
            }
            Event::MappingStart(anchor, _) => {
                self.depth_check(span)?;
                self.stack.push(Frame::Map(Vec::new(), None, anchor));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, anchor)) = self.stack.pop() {
                    self.push(Node::Seq(items), anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(entries, _, anchor)) = self.stack.pop() {
                    self.push(Node::Map(entries), anchor);
                }
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node::Null);
                let size = count(&node);
                if size > self.alias_budget {
                    return Err("aliases expand to too many nodes".into());
                }
                self.alias_budget -= size;
                self.push(node, 0);
            }
            _ => {}
        }
        Ok(())
    }

    fn depth_check(&self, span: Span) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!(
                "nesting deeper than {MAX_DEPTH} levels at byte {}",
                span.start
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, key, ..)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => self.docs.push(node),
        }
    }
}

fn count(node: &Node) -> usize {
    match node {
        Node::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Node::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count(k) + count(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// saphyr reports character indices; this maps them to byte offsets.
struct CharOffsets {
    /// Byte offset of each char, present only when the text is not ASCII.
    bytes: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let bytes = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Self {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.bytes {
            None => char_index.min(self.len),
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn at(text: &str, span: Span) -> (usize, usize) {
        let lc = SourceFile::in_memory("compose.yaml", text).line_col(span.start);
        (lc.line, lc.column)
    }

    #[test]
    fn reads_services_users_privileged_and_both_environment_forms() {
        let text = "services:\n  api:\n    image: app:1\n    user: \"0:0\"\n    privileged: true\n    environment:\n      DB_PASSWORD: s3cret\n      PASSTHROUGH:\n  worker:\n    environment:\n      - TOKEN=abc\n      - HOME\n";
        let f = parse(text);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.services.len(), 2);
        let api = &f.services[0];
        assert_eq!(
            (api.name.as_str(), at(text, api.name_span)),
            ("api", (2, 3))
        );
        let user = api.user.as_ref().unwrap();
        assert_eq!(
            (user.value.as_str(), user.plain, at(text, user.span)),
            ("0:0", false, (4, 11))
        );
        assert_eq!(
            api.privileged.as_ref().and_then(Scalar::as_bool),
            Some(true)
        );
        assert_eq!(api.environment[0].value.as_deref(), Some("s3cret"));
        assert_eq!(at(text, api.environment[0].value_span.unwrap()), (7, 20));
        assert_eq!(api.environment[1].value, None);
        let worker = &f.services[1];
        assert_eq!(worker.environment[0].key, "TOKEN");
        assert_eq!(at(text, worker.environment[0].key_span), (11, 9));
        assert_eq!(worker.environment[1].value, None);
    }

    #[test]
    fn anchors_and_merge_keys_are_followed() {
        let text = "x-common: &common\n  privileged: true\n  environment:\n    API_KEY: k\nservices:\n  a:\n    <<: *common\n    image: a\n  b:\n    <<: *common\n    privileged: false\n";
        let f = parse(text);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(
            f.services[0].privileged.as_ref().and_then(Scalar::as_bool),
            Some(true)
        );
        // The span is the anchored original's, where the fix belongs.
        assert_eq!(
            at(text, f.services[0].privileged.as_ref().unwrap().span),
            (2, 15)
        );
        assert_eq!(
            f.services[1].privileged.as_ref().and_then(Scalar::as_bool),
            Some(false)
        );
        assert_eq!(f.services[1].environment.len(), 1);
    }

    #[test]
    fn invalid_yaml_is_a_diagnostic_with_a_location() {
        let text = "services:\n  api:\n    image: [unclosed\n";
        let f = parse(text);
        assert_eq!(f.diagnostics.len(), 1);
        assert!(f.diagnostics[0].message.starts_with("invalid YAML"));
        let text = "services:\n  a: é\n\t- bad";
        assert_eq!(parse(text).diagnostics.len(), 1);
    }

    #[test]
    fn hostile_inputs_stay_bounded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            bomb.push_str(&format!(
                "{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n",
                (b'b' + i) as char,
                (b'b' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i) as char
            ));
        }
        assert_eq!(parse(&bomb).diagnostics.len(), 1);
        let deep = format!("{}x{}", "[".repeat(500), "]".repeat(500));
        assert_eq!(parse(&deep).diagnostics.len(), 1);
        for s in [
            "",
            "---",
            "services:",
            "services: []",
            "services:\n  - a",
            ": :",
            "services:\n  a:\n    environment: 5",
        ] {
            let _ = parse(s);
        }
    }
}
