//! The rule reference: `docs/rules/<kind>/<rule>.md` and `docs/rules/README.md`, generated from each
//! rule's doc comment ([`RuleMeta::docs`]). `tests/rule_docs.rs` fails when the files on disk are
//! stale and regenerates them with `TOLLGATE_UPDATE_DOCS=1`; it also runs every example.

use std::collections::BTreeMap;

use crate::rules::{REGISTRY, RuleMeta};

/// Where the reference lives, relative to the repository root.
pub const DIR: &str = "docs/rules";

/// The doc comment as written: `///` lines lose the one space after the slashes.
pub fn text(meta: &RuleMeta) -> String {
    meta.docs
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(heading, body)` for each `## ` section; the text before the first heading has an empty heading.
pub fn sections(docs: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    let mut in_code = false;
    for line in docs.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        match line.strip_prefix("## ").filter(|_| !in_code) {
            Some(heading) => out.push((heading.trim().to_string(), String::new())),
            None => {
                if let Some((_, body)) = out.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    for (_, body) in &mut out {
        *body = body.trim().to_string();
    }
    out
}

/// A fenced code block: its info string's first word and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub lang: String,
    pub code: String,
}

/// Every fenced code block in `body`.
pub fn code_blocks(body: &str) -> Vec<CodeBlock> {
    let mut out = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        match (&mut current, trimmed.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(CodeBlock {
                    lang: info.split_whitespace().next().unwrap_or("").to_string(),
                    code: String::new(),
                });
            }
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(block), None) => {
                block.code.push_str(line);
                block.code.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The options a rule documents: `` - `name` (…): description `` lines under `## Options`.
pub fn options(meta: &RuleMeta) -> Vec<(String, String)> {
    let docs = text(meta);
    let Some((_, body)) = sections(&docs)
        .into_iter()
        .find(|(heading, _)| heading == "Options")
    else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("- `") {
            if let Some((name, description)) = rest.split_once('`') {
                let description = description.trim_start_matches([' ', ':']).trim();
                out.push((name.to_string(), description.to_string()));
            }
        } else if let Some((_, description)) = out.last_mut().filter(|_| line.starts_with("  ")) {
            // Continuation line of a wrapped bullet.
            description.push(' ');
            description.push_str(line.trim());
        }
    }
    out
}

/// The source file of a rule, by the one-rule-per-file convention.
pub fn source_path(meta: &RuleMeta) -> String {
    let dir = match meta.kind() {
        "tollgate" => "meta",
        kind => kind,
    };
    format!("src/rules/{dir}/{}.rs", meta.name().replace('-', "_"))
}

/// One rule's reference page.
pub fn page(meta: &RuleMeta) -> String {
    let docs = text(meta);
    let sections = sections(&docs);
    let mut out = format!("# `{}`\n\n", meta.id);
    if let Some((_, intro)) = sections.first() {
        out.push_str(intro);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "| Default level | Kind | Summary |\n|---|---|---|\n| {} | {} | {} |\n\n",
        meta.default_level.as_str(),
        meta.kind(),
        meta.summary
    ));
    out.push_str(&format!(
        "Configure it in `tollgate.toml`:\n\n```toml\n[rules.{}]\n{} = \"{}\"   # \"error\" | \"warning\" | \"note\" | \"off\"\n```\n\n",
        meta.kind(),
        meta.name(),
        meta.default_level.as_str()
    ));
    out.push_str(&format!(
        "Suppress one occurrence with a reason: `tollgate-ignore {} -- <why>` in a comment on the line before it.\n",
        meta.id
    ));
    for (heading, body) in sections.iter().skip(1) {
        out.push_str(&format!("\n## {heading}\n\n{body}\n"));
    }
    out.push_str(&format!(
        "\n---\n\nGenerated from the doc comment in [`{src}`](../../../{src}) by \
         `TOLLGATE_UPDATE_DOCS=1 cargo test --test rule_docs`; edit the doc comment, not this file.\n",
        src = source_path(meta)
    ));
    out
}

/// The index: every rule by kind, with default level and summary.
pub fn index() -> String {
    let mut out = String::from(
        "# Rule reference\n\nEvery rule tollgate knows, generated from the rules' doc comments \
         (`tollgate rules` lists them, `tollgate explain <id>` prints one). Each page says why the rule \
         matters, shows a violating and a compliant example (both run by the test suite), and lists \
         the rule's options.\n",
    );
    let mut kinds: Vec<&str> = REGISTRY.iter().map(|e| e.meta.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        out.push_str(&format!(
            "\n## `{kind}`\n\n| Rule | Default | Summary |\n|---|---|---|\n"
        ));
        for entry in REGISTRY.iter().filter(|e| e.meta.kind() == kind) {
            out.push_str(&format!(
                "| [`{id}`]({kind}/{name}.md) | {level} | {summary} |\n",
                id = entry.meta.id,
                name = entry.meta.name(),
                level = entry.meta.default_level.as_str(),
                summary = entry.meta.summary
            ));
        }
    }
    out.push_str(
        "\n---\n\nGenerated by `TOLLGATE_UPDATE_DOCS=1 cargo test --test rule_docs`; do not edit by hand.\n",
    );
    out
}

/// Every generated file, by path relative to the repository root.
pub fn generate() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert(format!("{DIR}/README.md"), index());
    for entry in REGISTRY {
        files.insert(
            format!("{DIR}/{}/{}.md", entry.meta.kind(), entry.meta.name()),
            page(entry.meta),
        );
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_code_blocks() {
        let docs = "Summary.\n\n## Why it matters\nBecause.\n\n## Violating example\n```sql\n## not a heading\ncreate table t (id int);\n```\n\n## Options\n- `schemas` (list, default `[\"public\"]`): schemas\n  exposed through the API.\n- `x`: y\n";
        let s = sections(docs);
        let headings: Vec<&str> = s.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(
            headings,
            ["", "Why it matters", "Violating example", "Options"]
        );
        assert_eq!(s[0].1, "Summary.");
        assert_eq!(
            code_blocks(&s[2].1),
            [CodeBlock {
                lang: "sql".into(),
                code: "## not a heading\ncreate table t (id int);\n".into()
            }]
        );
    }

    #[test]
    fn options_come_from_the_options_section() {
        let meta = crate::rules::meta("sql/require-rls").unwrap();
        let names: Vec<String> = options(meta).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["schemas", "exempt-tables"]);
        let meta = crate::rules::meta("tollgate/read-error").unwrap();
        assert!(options(meta).is_empty());
        assert_eq!(source_path(meta), "src/rules/meta/read_error.rs");
    }

    #[test]
    fn page_has_title_config_and_sections() {
        let meta = crate::rules::meta("sql/require-rls").unwrap();
        let page = page(meta);
        assert!(page.starts_with(
            "# `sql/require-rls`\n\nEvery table in an exposed schema must have row level security enabled.\n"
        ));
        assert!(page.contains("[rules.sql]\nrequire-rls = \"error\""));
        assert!(page.contains("\n## Violating example\n\n```sql\n"));
        assert!(page.contains("(../../../src/rules/sql/require_rls.rs)"));
    }
}
