use crate::declare_rule;
use crate::document::{Document, Project};
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Rule, RuleMeta, Sink};
use crate::secrets;
use crate::source::Span;

declare_rule! {
    /// A credential appears in plain text in docs, reports, notes, logs or source code.
    ///
    /// ## Why it matters
    /// Docs, reports, incident notes and logs are read, copied and pasted far more widely than
    /// the secret store: a key pasted into `docs/` is a key leaked to everyone with the repo.
    /// Rotate the secret, then replace it with its name or a masked form (`****ABCD`, at most the
    /// last 4 characters). The file is scanned once with every detector of
    /// `policies/secrets.toml` (an Aho–Corasick keyword pass picks which regexes run).
    ///
    /// Which files: those classified `text` (by default `docs/`, `reports/`, `notes/`,
    /// `incidents/`, `runbooks/`, `*.md`, `*.txt`, `*.log`) and `code` (source and Compose
    /// files). Env files, Dockerfiles and manifests have their own rules.
    ///
    /// ## Violating example
    /// ```markdown
    /// Rotated the Bitget key; the old one was ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx9.
    /// ```
    ///
    /// ## Compliant example
    /// ```markdown
    /// Rotated `BOT1_BITGET_API_KEY` (old key ****1234, revoked 2026-02-22).
    /// ```
    ///
    /// ## Options
    /// - `mask-tail` (0–4, default 4): how many trailing characters messages show.
    ///
    /// ## References
    /// - gitleaks (rule format), OWASP Secrets Management Cheat Sheet.
    pub struct NoPlaintextSecret {
        /// Trailing characters shown in messages (at most 4).
        mask_tail: usize,
    }
    id: "secret/no-plaintext-secret",
    level: Error,
    summary: "Credentials must not appear in plain text",
}

impl Default for NoPlaintextSecret {
    fn default() -> Self {
        Self { mask_tail: 4 }
    }
}

impl Rule for NoPlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(parsed) = project.files.get(file) else {
            return;
        };
        if !matches!(parsed.document, Document::Text | Document::Code(_)) {
            return;
        }
        let text = &parsed.source.text;
        for found in secrets::Detectors::builtin().scan_file(Some(&parsed.source.path), text) {
            let secret = found.secret(text);
            let span = Span::new(found.span.start, found.span.end);
            sink.push(
                Diagnostic::new(
                    file,
                    span,
                    format!(
                        "{} in plain text ({} chars, {})",
                        found.description,
                        secret.chars().count(),
                        secrets::mask_with(secret, self.mask_tail)
                    ),
                )
                .help("rotate it, then refer to it by name or in masked form (at most the last 4 characters)")
                .redact(span)
                .salt(found.detector),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::document::FileKind;
    use crate::testing::check_kind;

    const RULE: &str = "secret/no-plaintext-secret";

    #[test]
    fn secrets_in_docs_are_reported_masked() {
        let token = "ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx9";
        let text = format!(
            "# Rotation\n\nOld key: {token} (revoked).\nThe name is `BOT1_BITGET_API_SECRET`; AKIAIOSFODNN7EXAMPLE is a doc key.\n"
        );
        let found = check_kind(
            RULE,
            FileKind::Text,
            &[("docs/security/rotation.md", &text)],
        );
        assert_eq!(
            found,
            [
                "docs/security/rotation.md:3:10 GitHub personal access token (classic) in plain text (40 chars, ****8Zx9)"
            ]
        );
        assert!(!found[0].contains(token));
    }

    #[test]
    fn clean_text_and_other_kinds_are_quiet() {
        assert!(
            check_kind(
                RULE,
                FileKind::Text,
                &[("reports/day12.md", "All keys masked: ****a1b2.\n")]
            )
            .is_empty()
        );
        assert!(
            check_kind(
                RULE,
                FileKind::Env,
                &[(
                    ".env.example",
                    "T=ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx9\n"
                )]
            )
            .is_empty()
        );
    }
}
