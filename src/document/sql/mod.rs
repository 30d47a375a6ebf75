//! Migration SQL: statements with spans, the facts each statement establishes, and ordered migration
//! sets replayed into schema state.
//!
//! Facts come from one token-level recogniser (exact spans, quoted identifiers, DO-block bodies and
//! EXECUTE strings); sqlparser validates each statement, and a statement that neither sqlparser nor
//! the recogniser understands becomes an `sql/unparsed-statement` note.

pub mod lexer;
mod migration;
mod recognise;
pub mod types;

pub use migration::{
    DefaultGrant, Event, ExtensionState, FunctionState, Key, Loc, MigrationFile, MigrationSet,
    PLATFORM_SCHEMAS, PolicyState, SchemaState, TableState, ViewState, compare_migration_names,
    is_down_migration, set_key,
};
pub use types::*;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Statement {
    pub span: Span,
    pub facts: Vec<Fact>,
    /// True when sqlparser parsed the statement.
    pub parsed: bool,
    /// Goose `-- +goose Down` section: not replayed into the state.
    pub down: bool,
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
    /// The file has goose `-- +goose Down` annotations.
    pub has_goose_down: bool,
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
        let goose = goose_sections(text, &tokens);
        file.has_goose_down = goose.iter().any(|(_, down)| *down);
        let (raw_statements, meta_commands) = lexer::split(&tokens);
        for span in meta_commands {
            file.diagnostics.push(SqlDiagnostic {
                rule: "sql/unparsed-statement",
                span,
                message: "psql meta-command skipped: it is not SQL and was not analysed".into(),
            });
        }
        for raw in &raw_statements {
            let down = goose
                .iter()
                .rev()
                .find(|(at, _)| *at <= raw.span.start)
                .is_some_and(|(_, down)| *down);
            let mut statement = read_statement(text, raw, &mut file.diagnostics);
            statement.down = down;
            file.statements.push(statement);
        }
        file
    }

    /// Every fact of the file's forward (replayed) statements, with the statement span.
    pub fn facts(&self) -> impl Iterator<Item = (&Statement, &Fact)> {
        self.statements
            .iter()
            .flat_map(|s| s.facts.iter().map(move |f| (s, f)))
    }
}

/// Positions of `-- +goose Up` / `-- +goose Down` markers: (offset, is_down).
fn goose_sections(text: &str, tokens: &[lexer::Token]) -> Vec<(usize, bool)> {
    tokens
        .iter()
        .filter(|t| t.kind == lexer::TokenKind::Comment)
        .filter_map(|t| {
            let body = text[t.span.range()].trim_start_matches('-').trim();
            let rest = body.strip_prefix("+goose")?.trim().to_ascii_lowercase();
            if rest.starts_with("down") {
                Some((t.span.start, true))
            } else if rest.starts_with("up") {
                Some((t.span.start, false))
            } else {
                None
            }
        })
        .collect()
}

fn read_statement(
    text: &str,
    raw: &lexer::RawStatement,
    diagnostics: &mut Vec<SqlDiagnostic>,
) -> Statement {
    let stmt_text = &text[raw.span.range()];
    let recognised = recognise::statement(text, &raw.tokens);
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, stmt_text);
    let parsed_ok = parsed.is_ok();
    for (span, message) in &recognised.notes {
        diagnostics.push(SqlDiagnostic {
            rule: "sql/unparsed-statement",
            span: *span,
            message: message.clone(),
        });
    }
    if let Err(error) = parsed
        && !recognised.understood
    {
        let what = first_words(text, &raw.tokens);
        diagnostics.push(SqlDiagnostic {
            rule: "sql/unparsed-statement",
            span: raw.tokens.first().map_or(raw.span, |t| {
                t.span.cover(raw.tokens.get(1).map_or(t.span, |n| n.span))
            }),
            message: format!(
                "`{what}` statement not understood by the SQL parser ({}); {}",
                clean_parser_error(&error.to_string()),
                if recognised.facts.is_empty() {
                    "no schema facts recovered"
                } else {
                    "schema facts recovered by the fallback recogniser"
                }
            ),
        });
    }
    Statement {
        span: raw.span,
        facts: recognised.facts,
        parsed: parsed_ok,
        down: false,
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
    fn facts_with_name_spans_and_quoted_identifiers() {
        let text = "create table public.\"Orders\" (id int);\nALTER TABLE \"Orders\" ENABLE ROW LEVEL SECURITY;";
        let file = SqlFile::parse(text);
        assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
        match &file.statements[0].facts[0] {
            Fact::CreateTable(t) => {
                assert_eq!(t.name, QualName::new(Some("public"), "Orders"));
                assert_eq!(&text[t.name_span.range()], "public.\"Orders\"");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            file.statements[1].facts,
            vec![Fact::SetRls {
                table: QualName::new(None, "Orders"),
                enabled: true
            }]
        );
    }

    #[test]
    fn unknown_statement_is_a_note_and_the_rest_is_read() {
        let text = "frobnicate the $$database$$;\ncreate table t (id int);";
        let file = SqlFile::parse(text);
        assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
        assert_eq!(file.diagnostics[0].rule, "sql/unparsed-statement");
        assert_eq!(&text[file.diagnostics[0].span.range()], "frobnicate the");
        assert!(matches!(file.statements[1].facts[0], Fact::CreateTable(_)));
    }

    #[test]
    fn do_blocks_are_read_with_one_note() {
        let text = "do $$ begin\n  if not exists (select 1) then\n    create table public.t (id int);\n  end if;\n  execute 'alter table public.t enable row level security';\nend $$;";
        let file = SqlFile::parse(text);
        assert_eq!(file.statements[0].facts.len(), 2);
        assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
        assert!(
            file.diagnostics[0]
                .message
                .ends_with("schema facts recovered by the fallback recogniser")
        );
    }

    #[test]
    fn goose_down_sections_are_marked() {
        let text = "-- +goose Up\ncreate table t (id int);\n-- +goose Down\ndrop table t;";
        let file = SqlFile::parse(text);
        assert!(file.has_goose_down);
        assert!(!file.statements[0].down);
        assert!(file.statements[1].down);
    }
}
