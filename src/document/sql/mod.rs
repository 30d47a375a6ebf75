//! Migration SQL: statements with spans, the facts each statement establishes, and ordered migration
//! sets replayed into schema state.

pub mod lexer;
mod migration;
mod recognise;

pub use migration::{MigrationFile, MigrationSet, SchemaState, TableState};

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::source::{LineIndex, Span};

/// A schema-qualified name, normalised as PostgreSQL does (unquoted parts folded to lower case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualName {
    pub schema: Option<String>,
    pub name: String,
}

impl std::fmt::Display for QualName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// What a statement does to the schema, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    CreateTable {
        name: QualName,
        name_span: Span,
        temporary: bool,
    },
    DropTable {
        name: QualName,
    },
    RenameTable {
        from: QualName,
        to: String,
    },
    SetTableSchema {
        table: QualName,
        schema: String,
    },
    /// `ALTER TABLE … ENABLE|DISABLE ROW LEVEL SECURITY`.
    SetRls {
        table: QualName,
        enabled: bool,
    },
    SetSearchPath {
        schemas: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub span: Span,
    pub facts: Vec<Fact>,
    /// True when sqlparser parsed the statement; false when the fallback recogniser was used.
    pub parsed: bool,
}

/// A problem the SQL reader found; the engine turns it into a finding of `rule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlDiagnostic {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct SqlFile {
    pub statements: Vec<Statement>,
    pub diagnostics: Vec<SqlDiagnostic>,
}

impl SqlFile {
    pub fn parse(text: &str) -> Self {
        let (tokens, lex_errors) = lexer::tokenize(text);
        let mut file = SqlFile::default();
        for error in lex_errors {
            file.diagnostics.push(SqlDiagnostic {
                rule: "sql/parse-error",
                span: error.span,
                message: error.message,
            });
        }
        let (raw_statements, meta_commands) = lexer::split(&tokens);
        for span in meta_commands {
            file.diagnostics.push(SqlDiagnostic {
                rule: "sql/unparsed-statement",
                span,
                message: "psql meta-command skipped: it is not SQL and was not analysed".into(),
            });
        }
        for raw in &raw_statements {
            file.statements
                .push(read_statement(text, raw, &mut file.diagnostics));
        }
        file
    }
}

fn read_statement(
    text: &str,
    raw: &lexer::RawStatement,
    diagnostics: &mut Vec<SqlDiagnostic>,
) -> Statement {
    let stmt_text = &text[raw.span.range()];
    match Parser::parse_sql(&PostgreSqlDialect {}, stmt_text) {
        Ok(parsed) => {
            let index = LineIndex::new(stmt_text);
            let locate = |span: sqlparser::tokenizer::Span| -> Option<Span> {
                if span.start.line == 0 {
                    return None;
                }
                let start = index.offset_of(
                    span.start.line as usize,
                    span.start.column as usize,
                    stmt_text,
                );
                let end =
                    index.offset_of(span.end.line as usize, span.end.column as usize, stmt_text);
                Some(Span::new(start, end.max(start)).offset(raw.span.start))
            };
            let facts = parsed
                .iter()
                .flat_map(|statement| recognise::from_ast(statement, &locate, raw.span))
                .collect();
            Statement {
                span: raw.span,
                facts,
                parsed: true,
            }
        }
        Err(error) => {
            let facts = recognise::from_tokens(text, &raw.tokens);
            let what = first_words(text, &raw.tokens);
            diagnostics.push(SqlDiagnostic {
                rule: "sql/unparsed-statement",
                span: raw.tokens.first().map_or(raw.span, |t| {
                    t.span.cover(raw.tokens.get(1).map_or(t.span, |n| n.span))
                }),
                message: format!(
                    "`{what}` statement not understood by the SQL parser ({}); {}",
                    clean_parser_error(&error.to_string()),
                    if facts.is_empty() {
                        "no schema facts recovered"
                    } else {
                        "schema facts recovered by the fallback recogniser"
                    }
                ),
            });
            Statement {
                span: raw.span,
                facts,
                parsed: false,
            }
        }
    }
}

fn first_words(text: &str, tokens: &[lexer::Token]) -> String {
    tokens
        .iter()
        .take_while(|t| t.kind == lexer::TokenKind::Word)
        .take(3)
        .map(|t| text[t.span.range()].to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean_parser_error(message: &str) -> String {
    let message = message.trim_start_matches("sql parser error: ");
    // Positions inside the statement text would mislead; the finding carries the real location.
    let message = message.split(" at Line: ").next().unwrap_or(message);
    message.chars().take(120).collect()
}

/// Normalises one identifier part: quoted parts keep their case, unquoted ones fold to lower case.
pub fn normalise_ident(raw: &str) -> String {
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        raw[1..raw.len() - 1].replace("\"\"", "\"")
    } else {
        raw.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_parsed_statements_with_name_spans() {
        let text = "create table public.\"Orders\" (id int);\nALTER TABLE \"Orders\" ENABLE ROW LEVEL SECURITY;";
        let file = SqlFile::parse(text);
        assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
        match &file.statements[0].facts[0] {
            Fact::CreateTable {
                name, name_span, ..
            } => {
                assert_eq!(
                    name,
                    &QualName {
                        schema: Some("public".into()),
                        name: "Orders".into()
                    }
                );
                assert_eq!(&text[name_span.range()], "public.\"Orders\"");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            file.statements[1].facts,
            vec![Fact::SetRls {
                table: QualName {
                    schema: None,
                    name: "Orders".into()
                },
                enabled: true
            }]
        );
    }

    #[test]
    fn unparsable_statement_is_a_note_and_the_rest_is_read() {
        let text = "do $$ begin raise notice 'x'; end $$;\ncreate table t (id int);";
        let file = SqlFile::parse(text);
        assert_eq!(file.diagnostics.len(), 1);
        assert_eq!(file.diagnostics[0].rule, "sql/unparsed-statement");
        assert_eq!(
            &text[file.diagnostics[0].span.range()],
            "do $$ begin raise notice 'x'; end $$"
        );
        assert!(matches!(
            file.statements[1].facts[0],
            Fact::CreateTable { .. }
        ));
    }
}
