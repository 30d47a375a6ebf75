use crate::declare_rule;
use crate::rules::{Rule, RuleMeta};

declare_rule! {
    /// A Dockerfile cannot be parsed the way BuildKit would parse it.
    ///
    /// ## Why it matters
    /// `docker build` rejects the file, or silently builds something else than intended (an
    /// unterminated heredoc swallows the rest of the file). Later checks see only what could be
    /// read, so the finding points at the exact place: an unknown instruction, a bad flag, an
    /// unterminated quote or heredoc, an invalid `# escape=` directive, a duplicate stage name, an
    /// instruction before the first `FROM`.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN <<EOF
    /// apk add --no-cache curl
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN <<EOF
    /// apk add --no-cache curl
    /// EOF
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Dockerfile reference, "Parser directives", "Here-Documents".
    pub struct ParseError {}
    id: "docker/parse-error",
    level: Error,
    summary: "A Dockerfile or Compose file cannot be parsed",
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    #[test]
    fn reports_parser_problems_with_locations() {
        let found = check(
            "docker/parse-error",
            "FROM alpine:3.20\nRUNN echo\nCOPY --form=a /x /y\n",
        );
        assert_eq!(
            found,
            vec![
                "2:1 unknown instruction `RUNN`",
                "3:6 unknown flag `--form` for COPY"
            ]
        );
        assert!(check("docker/parse-error", "FROM alpine:3.20\nRUN echo\n").is_empty());
    }
}
