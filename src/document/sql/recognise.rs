//! Turning a statement into [`Fact`]s: from sqlparser's AST when it parses, otherwise from tokens.

use sqlparser::ast::{
    self, AlterTableOperation, ObjectName, ObjectNamePart, ObjectType, RenameTableNameKind, Set,
};
use sqlparser::tokenizer::Span as AstSpan;

use super::lexer::{Token, TokenKind};
use super::{Fact, QualName, normalise_ident};
use crate::source::Span;

pub(super) fn from_ast(
    statement: &ast::Statement,
    locate: &dyn Fn(AstSpan) -> Option<Span>,
    fallback: Span,
) -> Vec<Fact> {
    let mut facts = Vec::new();
    match statement {
        ast::Statement::CreateTable(create) => {
            let name_span = name_span(&create.name, locate).unwrap_or(fallback);
            facts.push(Fact::CreateTable {
                name: qual_name(&create.name),
                name_span,
                temporary: create.temporary,
            });
        }
        ast::Statement::AlterTable(alter) => {
            let table = qual_name(&alter.name);
            for op in &alter.operations {
                match op {
                    AlterTableOperation::EnableRowLevelSecurity => facts.push(Fact::SetRls {
                        table: table.clone(),
                        enabled: true,
                    }),
                    AlterTableOperation::DisableRowLevelSecurity => facts.push(Fact::SetRls {
                        table: table.clone(),
                        enabled: false,
                    }),
                    AlterTableOperation::RenameTable { table_name } => {
                        let (RenameTableNameKind::As(to) | RenameTableNameKind::To(to)) =
                            table_name;
                        facts.push(Fact::RenameTable {
                            from: table.clone(),
                            to: qual_name(to).name,
                        });
                    }
                    _ => {}
                }
            }
        }
        ast::Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => {
            facts.extend(names.iter().map(|name| Fact::DropTable {
                name: qual_name(name),
            }));
        }
        ast::Statement::Set(Set::SingleAssignment {
            variable, values, ..
        }) if variable.to_string().eq_ignore_ascii_case("search_path") => {
            let schemas = values
                .iter()
                .flat_map(|v| split_path(&v.to_string()))
                .collect();
            facts.push(Fact::SetSearchPath { schemas });
        }
        _ => {}
    }
    facts
}

fn split_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|part| part.trim().trim_matches('\''))
        .filter(|part| !part.is_empty())
        .map(normalise_ident)
        .collect()
}

fn qual_name(name: &ObjectName) -> QualName {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident_value(ident),
            other => other.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [.., schema, table] => QualName {
            schema: Some(schema.clone()),
            name: table.clone(),
        },
        [table] => QualName {
            schema: None,
            name: table.clone(),
        },
        [] => QualName {
            schema: None,
            name: String::new(),
        },
    }
}

fn ident_value(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

fn name_span(name: &ObjectName, locate: &dyn Fn(AstSpan) -> Option<Span>) -> Option<Span> {
    let spans: Vec<Span> = name
        .0
        .iter()
        .filter_map(|part| match part {
            ObjectNamePart::Identifier(ident) => locate(ident.span),
            _ => None,
        })
        .collect();
    let first = *spans.first()?;
    Some(spans.iter().fold(first, |acc, s| acc.cover(*s)))
}

/// The fallback recogniser: CREATE/ALTER/DROP TABLE and RLS switches from raw tokens, for statements
/// sqlparser rejects.
pub(super) fn from_tokens(text: &str, tokens: &[Token]) -> Vec<Fact> {
    let word = |i: usize| -> Option<String> {
        tokens
            .get(i)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| text[t.span.range()].to_ascii_lowercase())
    };
    let is = |i: usize, w: &str| word(i).as_deref() == Some(w);
    let mut facts = Vec::new();
    if is(0, "create") {
        let mut i = 1;
        let mut temporary = false;
        if is(i, "or") && is(i + 1, "replace") {
            i += 2;
        }
        while let Some(w) = word(i) {
            match w.as_str() {
                "global" | "local" | "unlogged" => i += 1,
                "temp" | "temporary" => {
                    temporary = true;
                    i += 1;
                }
                _ => break,
            }
        }
        if is(i, "table") {
            i += 1;
            if is(i, "if") && is(i + 1, "not") && is(i + 2, "exists") {
                i += 3;
            }
            if let Some((name, span, _)) = read_name(text, tokens, i) {
                facts.push(Fact::CreateTable {
                    name,
                    name_span: span,
                    temporary,
                });
            }
        }
    } else if is(0, "alter") && is(1, "table") {
        let mut i = 2;
        if is(i, "if") && is(i + 1, "exists") {
            i += 2;
        }
        if is(i, "only") {
            i += 1;
        }
        if let Some((table, _, next)) = read_name(text, tokens, i) {
            let rest: Vec<String> = (next..tokens.len()).map_while(word).collect();
            let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
            match rest.as_slice() {
                ["enable", "row", "level", "security", ..] => facts.push(Fact::SetRls {
                    table,
                    enabled: true,
                }),
                ["disable", "row", "level", "security", ..] => facts.push(Fact::SetRls {
                    table,
                    enabled: false,
                }),
                ["rename", "to", ..] => {
                    if let Some((to, _, _)) = read_name(text, tokens, next + 2) {
                        facts.push(Fact::RenameTable {
                            from: table,
                            to: to.name,
                        });
                    }
                }
                ["set", "schema", ..] => {
                    if let Some((schema, _, _)) = read_name(text, tokens, next + 2) {
                        facts.push(Fact::SetTableSchema {
                            table,
                            schema: schema.name,
                        });
                    }
                }
                _ => {}
            }
        }
    } else if is(0, "drop") && is(1, "table") {
        let mut i = 2;
        if is(i, "if") && is(i + 1, "exists") {
            i += 2;
        }
        while let Some((name, _, next)) = read_name(text, tokens, i) {
            facts.push(Fact::DropTable { name });
            if tokens
                .get(next)
                .is_some_and(|t| &text[t.span.range()] == ",")
            {
                i = next + 1;
            } else {
                break;
            }
        }
    }
    facts
}

/// Reads `a`, `"A"`, `s.a`; returns the name, its span and the index after it.
fn read_name(text: &str, tokens: &[Token], start: usize) -> Option<(QualName, Span, usize)> {
    let part = |i: usize| {
        tokens
            .get(i)
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent))
    };
    let first = part(start)?;
    let mut parts = vec![normalise_ident(&text[first.span.range()])];
    let mut span = first.span;
    let mut i = start + 1;
    while tokens.get(i).is_some_and(|t| &text[t.span.range()] == ".") {
        let Some(next) = part(i + 1) else { break };
        parts.push(normalise_ident(&text[next.span.range()]));
        span = span.cover(next.span);
        i += 2;
    }
    let name = parts.pop()?;
    Some((
        QualName {
            schema: parts.pop(),
            name,
        },
        span,
        i,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::lexer;
    use super::*;

    fn facts(text: &str) -> Vec<Fact> {
        let (tokens, _) = lexer::tokenize(text);
        from_tokens(text, &tokens)
    }

    #[test]
    fn fallback_reads_create_alter_drop() {
        assert_eq!(
            facts("CREATE UNLOGGED TABLE IF NOT EXISTS app.\"Logs\" (LIKE x INCLUDING ALL)"),
            vec![Fact::CreateTable {
                name: QualName {
                    schema: Some("app".into()),
                    name: "Logs".into()
                },
                name_span: Span::new(36, 46),
                temporary: false
            }]
        );
        assert_eq!(
            facts("alter table only Foo disable row level security"),
            vec![Fact::SetRls {
                table: QualName {
                    schema: None,
                    name: "foo".into()
                },
                enabled: false
            }]
        );
        assert_eq!(facts("drop table if exists a, s.b cascade").len(), 2);
        assert_eq!(
            facts("alter table a rename to b"),
            vec![Fact::RenameTable {
                from: QualName {
                    schema: None,
                    name: "a".into()
                },
                to: "b".into()
            }]
        );
    }
}
