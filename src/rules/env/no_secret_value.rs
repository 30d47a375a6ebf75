use crate::declare_rule;
use crate::document::Project;
use crate::document::env::EnvRole;
use crate::finding::{Diagnostic, FileId};
use crate::rules::env::env_file;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::secrets;

declare_rule! {
    /// An example or template env file (`.env.example`, `.env.sample`, …) holds a real-looking secret.
    ///
    /// ## Why it matters
    /// Templates are committed and copied around on purpose, so a real value in one is a leaked
    /// credential. A template should carry the variable's name and a placeholder; the real value
    /// lives in the secret manager or the untracked `.env`.
    ///
    /// Values count as secrets when they match a known credential format (see
    /// `policies/secrets.toml`), or when a secret-named key (`*_SECRET`, `*_PASSWORD`, `*_TOKEN`,
    /// `*_API_KEY`, `*_PASSPHRASE`, …) holds a random-looking value. Placeholders are fine: empty,
    /// `changeme`, `your-…-here`, `<…>`, `xxx…`, `***`, `example`, `dummy`, `replace-me`, `${VAR}`,
    /// documented fakes such as `AKIAIOSFODNN7EXAMPLE`, and local-only database defaults such as
    /// `postgres://postgres:postgres@localhost:5432/postgres`. The value is shown masked.
    ///
    /// ## Violating example
    /// ```dotenv
    /// STRIPE_SECRET_KEY=sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w
    /// ```
    ///
    /// ## Compliant example
    /// ```dotenv
    /// STRIPE_SECRET_KEY=sk_live_your-key-here
    /// ```
    ///
    /// ## Options
    /// - `allow-values` (list of strings, default empty): exact values accepted as non-secret,
    ///   e.g. a shared local-development key.
    ///
    /// ## References
    /// - OWASP Secrets Management Cheat Sheet.
    /// - gitleaks default rules (the detector format of `policies/secrets.toml`).
    pub struct NoSecretValue {
        /// Exact values accepted as non-secret.
        allow_values: Vec<String>,
    }
    id: "env/no-secret-value",
    level: Error,
    summary: "Example env files must hold placeholders, not secrets",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! cannot take a derive attribute"
)]
impl Default for NoSecretValue {
    fn default() -> Self {
        Self {
            allow_values: Vec::new(),
        }
    }
}

impl Rule for NoSecretValue {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((env, source, EnvRole::Example)) = env_file(project, file) else {
            return;
        };
        for entry in &env.entries {
            if self.allow_values.contains(&entry.value) {
                continue;
            }
            let Some(found) = secrets::detect_value(Some(&entry.key), &entry.value) else {
                continue;
            };
            let span = entry.value_range_span(found.span.clone(), &source.text);
            sink.push(
                Diagnostic::new(
                    file,
                    span,
                    format!("`{}` holds a real-looking secret: {}", entry.key, found.summary(&entry.value)),
                )
                .help(format!(
                    "replace the value with a placeholder such as `{}=` or `<{}>`, and rotate the secret if it was ever real",
                    entry.key,
                    entry.key.to_ascii_lowercase()
                ))
                .redact(span)
                .salt(found.detector),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::env::check;

    const RULE: &str = "env/no-secret-value";

    #[test]
    fn real_values_are_reported_masked_at_the_value() {
        let key = "sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w";
        let text = format!(
            "# Stripe\nSTRIPE_SECRET_KEY={key}\nPARTNER_BOOTSTRAP_SECRET=\"q8Zr2LmN4vX7pT1sK9wB3yH6dF0gJ5\"\n"
        );
        let found = check(RULE, &[("backend/.env.example", &text)]);
        assert_eq!(
            found,
            [
                "backend/.env.example:2:19 `STRIPE_SECRET_KEY` holds a real-looking secret: Stripe secret key (33 chars, ****aQ9w)",
                "backend/.env.example:3:27 `PARTNER_BOOTSTRAP_SECRET` holds a real-looking secret: Random-looking value assigned to a secret-named key (30 chars, ****0gJ5)",
            ]
        );
        assert!(found.iter().all(|f| !f.contains(key)));
    }

    #[test]
    fn placeholders_and_real_env_files_are_clean() {
        let text = "STRIPE_SECRET_KEY=\nAPI_TOKEN=changeme\nDB_PASSWORD=<password>\nJWT_SECRET=${JWT_SECRET}\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nDATABASE_URL=postgres://postgres:postgres@localhost:5432/postgres\nNEXT_PUBLIC_SUPABASE_URL=https://abcdefghijklmnop.supabase.co\n";
        assert!(check(RULE, &[(".env.example", text)]).is_empty());
        // Real env files are the business of env/no-committed-env-file.
        assert!(
            check(
                RULE,
                &[(
                    ".env",
                    "STRIPE_SECRET_KEY=sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\n"
                )]
            )
            .is_empty()
        );
    }
}
