use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::env::env_file;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// An env file has a line that is not `KEY=value`, a comment or blank.
    ///
    /// ## Why it matters
    /// dotenv loaders disagree on malformed lines: one skips them, another stops reading, a third
    /// takes the rest of the file as one value. The variables the application gets then depend on
    /// which loader runs. Every other env check also needs the file to parse.
    ///
    /// The finding never prints the line (it may hold a secret) and the source snippet blanks it.
    ///
    /// ## Violating example
    /// ```dotenv
    /// DATABASE_URL "postgres://app@db/app"
    /// API_TOKEN="unterminated
    /// ```
    ///
    /// ## Compliant example
    /// ```dotenv
    /// DATABASE_URL="postgres://app@db/app"
    /// API_TOKEN=""
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - dotenv-linter checks `KeyWithoutValue`, `IncorrectDelimiter`, `QuoteCharacter`.
    pub struct ParseError {}
    id: "env/parse-error",
    level: Error,
    summary: "An env file line cannot be parsed",
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((env, _, _)) = env_file(project, file) else {
            return;
        };
        for d in &env.diagnostics {
            sink.push(
                Diagnostic::new(file, d.span, d.message.clone())
                    .help(
                        "write `KEY=value`; quote values with spaces or `#`, and close every quote",
                    )
                    .redact(d.sensitive),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::env::check;

    const RULE: &str = "env/parse-error";

    #[test]
    fn malformed_lines_are_reported_with_locations() {
        let text = "OK=1\nTOKEN \"abc\"\nexport\nQ='x\n";
        assert_eq!(
            check(RULE, &[(".env.example", text)]),
            [
                ".env.example:2:7 expected `=` after `TOKEN`",
                ".env.example:3:1 `export` has no `=` and no value",
                ".env.example:4:3 unterminated single-quoted value for `Q`",
            ]
        );
    }

    #[test]
    fn valid_files_are_clean() {
        assert!(check(RULE, &[(".env.example", "A=1\n# c\n\nB=\"x y\" # c\n")]).is_empty());
    }
}
