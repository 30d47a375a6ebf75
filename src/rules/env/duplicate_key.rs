use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::env::env_file;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A key is assigned more than once in one env file.
    ///
    /// ## Why it matters
    /// Loaders disagree on which assignment wins (dotenv keeps the first, shells and Compose the
    /// last), so the value the application runs with depends on the tool. A duplicate is usually
    /// a merge leftover where the intended value is the one that loses.
    ///
    /// ## Violating example
    /// ```dotenv
    /// API_URL=https://api.staging.example.com
    /// API_URL=https://api.example.com
    /// ```
    ///
    /// ## Compliant example
    /// ```dotenv
    /// API_URL=https://api.example.com
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - dotenv-linter `DuplicatedKey`.
    pub struct DuplicateKey {}
    id: "env/duplicate-key",
    level: Warning,
    summary: "A key is assigned more than once in an env file",
}

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((env, _, _)) = env_file(project, file) else {
            return;
        };
        for dup in &env.duplicates {
            let (Some(first), Some(again)) =
                (env.entries.get(dup.first), env.entries.get(dup.again))
            else {
                continue;
            };
            sink.push(
                Diagnostic::new(
                    file,
                    again.key_span,
                    format!("`{}` is already set in this file", dup.key),
                )
                .help("keep one assignment; loaders disagree on which one wins")
                .related(file, first.key_span, "first assigned here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::env::check;

    const RULE: &str = "env/duplicate-key";

    #[test]
    fn later_assignments_are_reported() {
        let text = "A=1\nB=2\n  A=3\nexport A=4\n";
        assert_eq!(
            check(RULE, &[(".env.example", text)]),
            [
                ".env.example:3:3 `A` is already set in this file",
                ".env.example:4:8 `A` is already set in this file"
            ]
        );
    }

    #[test]
    fn distinct_keys_are_clean() {
        assert!(check(RULE, &[(".env", "A=1\nAB=2\na=3\n")]).is_empty());
    }
}
