use crate::declare_rule;
use crate::document::Project;
use crate::document::sql::{Fact, LiteralSecretKind};
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Rule, RuleMeta, Sink};
use crate::secrets;

declare_rule! {
    /// A migration writes a password, vault secret or bearer token as a literal.
    ///
    /// ## Why it matters
    /// Migrations live in git forever and are replayed into every environment. A role password in
    /// `CREATE ROLE … PASSWORD '…'`, a value passed to `vault.create_secret('…')`, or an
    /// `Authorization: Bearer …` header in a `net.http_post` call scheduled with `cron.schedule` puts
    /// a live credential in the repository history. Set passwords out of band, insert vault secrets
    /// from a deploy step, and read tokens from the vault at run time. The value is masked in every
    /// output.
    ///
    /// ## Violating example
    /// ```sql
    /// create role reporting login password 'S3cure-but-committed!';
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create role reporting login;  -- password set by the deploy pipeline with \password
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Supabase docs, "Vault" and "Scheduling Edge Functions" (read the key from the vault).
    /// - PostgreSQL manual, "CREATE ROLE" (passwords are logged and kept in history).
    pub struct LiteralSecret {}
    id: "sql/literal-secret",
    level: Error,
    summary: "Migrations must not contain literal passwords, vault secrets or bearer tokens",
}

impl Rule for LiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let parsed = project.file(file);
        let Some(sql) = parsed.sql() else { return };
        for (_, fact) in sql.facts() {
            let Fact::LiteralSecret {
                kind,
                value_span,
                context,
            } = fact
            else {
                continue;
            };
            let value = parsed.source.slice(*value_span);
            if secrets::is_placeholder(value) {
                continue;
            }
            // A Supabase anon key in a header is public by design; other tokens go through the
            // shared detectors.
            if *kind == LiteralSecretKind::BearerToken
                && secrets::detect_value(Some("authorization_token"), value).is_none()
            {
                continue;
            }
            let (what, help) = match kind {
                LiteralSecretKind::RolePassword => (
                    "password",
                    "create the role without a password and set it out of band (psql `\\password`, or the deploy pipeline)",
                ),
                LiteralSecretKind::VaultSecret => (
                    "vault secret",
                    "insert vault secrets from a deploy step or the dashboard, not from a migration",
                ),
                LiteralSecretKind::BearerToken => (
                    "bearer token",
                    "read the token at run time, e.g. `(select decrypted_secret from vault.decrypted_secrets where name = 'service_key')`",
                ),
            };
            sink.push(
                Diagnostic::new(
                    file,
                    *value_span,
                    format!(
                        "literal {what} for {context} in a migration ({})",
                        secrets::mask(value)
                    ),
                )
                .help(help)
                .redact(*value_span),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_and_masks_literal_secrets() {
        let files = [(
            "m/0001.sql",
            "create role app login password 'correct-horse-battery-staple';\nselect vault.create_secret('sk_live_51HqLyjWDarjtT1zdp7dc', 'stripe');\nselect cron.schedule('ping', '*/5 * * * *', $$ select net.http_post(url := 'https://x.functions.supabase.co/ping', headers := '{\"Authorization\": \"Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl\"}'::jsonb) $$);\ncreate role ph password '${DB_PASSWORD}';\nselect net.http_post(url := 'https://x.supabase.co/functions/v1/f', headers := '{\"Authorization\": \"Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJlc2lnbmF0dXJl\"}'::jsonb);",
        )];
        let found = check_sql("sql/literal-secret", &files);
        assert_eq!(
            found,
            vec![
                "m/0001.sql:1:33 literal password for role `app` in a migration (****aple)",
                "m/0001.sql:2:29 literal vault secret for vault.create_secret in a migration (****p7dc)",
                "m/0001.sql:3:154 literal bearer token for an HTTP request header in a migration (****bmF0dXJl)"
                    .replace("****bmF0dXJl", "****dXJl")
                    .as_str(),
            ]
        );
        for line in &found {
            assert!(!line.contains("horse") && !line.contains("sk_live") && !line.contains("eyJ"));
        }
    }
}
