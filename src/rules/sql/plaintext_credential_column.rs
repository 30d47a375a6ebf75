use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A column stores credentials in the clear.
    ///
    /// ## Why it matters
    /// API keys, passwords, tokens and private keys kept as plain text are one SQL injection, backup
    /// leak or over-broad policy away from compromise. Store a hash (SHA-256 for high-entropy API
    /// keys, a password hash such as argon2/bcrypt for passwords), encrypt with a key held outside the
    /// database, or keep a reference to a vault secret. A column counts as a credential when its name
    /// contains one of `patterns` as whole name parts (split at `_`, `-` and camelCase humps:
    /// `token` matches `token`, `api_token` and a quoted `"accessToken"`, not `path_tokens` or
    /// `tokenizer`; PostgreSQL folds an unquoted `accessToken` to `accesstoken`, one part, which
    /// is why `apikey` is a pattern of its own)
    /// and it has a text-like type; names that say the value is protected
    /// (`key_hash`, `password_digest`, `secret_ref`, `token_encrypted`) are not reported. The final
    /// state is checked: a later rename to `…_hash` or a drop clears it.
    ///
    /// ## Violating example
    /// ```sql
    /// create table public.bot_api_keys (id uuid primary key, api_key text not null);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create table public.bot_api_keys (id uuid primary key, key_hash text not null, last4 text);
    /// ```
    ///
    /// ## Options
    /// - `patterns` (list of strings, default `["api_key", "apikey", "secret", "password", "passwd",
    ///   "token", "private_key", "access_key", "client_secret"]`): credential names, matched as whole
    ///   name parts (`private_key` matches `user_private_key`, not `private_keys`).
    /// - `protected-words` (list of strings, default `["hash", "hashed", "digest", "encrypted",
    ///   "enc", "ciphertext", "cipher", "ref", "id", "type", "hint", "prefix", "last4", "expires",
    ///   "expiry", "at", "count", "version", "kind", "salt"]`): a name containing one of these as an
    ///   `_`-separated word is not a plaintext credential.
    ///
    /// ## References
    /// - OWASP Password Storage Cheat Sheet.
    /// - Supabase docs, "Vault".
    pub struct PlaintextCredentialColumn {
        /// Credential names, matched as whole `_`-separated name parts.
        patterns: Vec<String>,
        /// Words in a column name that say the value is not stored in the clear.
        protected_words: Vec<String>,
    }
    id: "sql/plaintext-credential-column",
    level: Error,
    summary: "Credential columns must store hashes, ciphertext or references, not plaintext",
}

impl Default for PlaintextCredentialColumn {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            patterns: list(&[
                "api_key",
                "apikey",
                "secret",
                "password",
                "passwd",
                "token",
                "private_key",
                "access_key",
                "client_secret",
            ]),
            protected_words: list(&[
                "hash",
                "hashed",
                "digest",
                "encrypted",
                "enc",
                "ciphertext",
                "cipher",
                "ref",
                "id",
                "type",
                "hint",
                "prefix",
                "last4",
                "expires",
                "expiry",
                "at",
                "count",
                "version",
                "kind",
                "salt",
            ]),
        }
    }
}

/// Types that hold text in the clear.
pub(crate) fn text_like(ty: &str) -> bool {
    let base = ty.split(['(', '[']).next().unwrap_or("").trim();
    let base = base.rsplit('.').next().unwrap_or(base);
    matches!(
        base,
        "text"
            | "varchar"
            | "character varying"
            | "char"
            | "character"
            | "citext"
            | "bpchar"
            | "json"
            | "jsonb"
            | "name"
    )
}

impl PlaintextCredentialColumn {
    pub(crate) fn is_credential(&self, column: &str) -> bool {
        let parts = name_parts(column);
        let has = |pattern: &str| {
            let wanted = name_parts(pattern);
            !wanted.is_empty() && parts.windows(wanted.len()).any(|w| w == wanted.as_slice())
        };
        if !self.patterns.iter().any(|p| has(p)) {
            return false;
        }
        !parts
            .iter()
            .any(|part| self.protected_words.iter().any(|w| w == part))
    }
}

/// A name's parts, lowercased: split at `_`, `-` and camelCase humps (`accessToken` → `access`,
/// `token`).
fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            parts.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            parts.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    parts.push(current);
    parts.retain(|p| !p.is_empty());
    parts
}

impl Rule for PlaintextCredentialColumn {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            for ((schema, name), table) in &set.state.tables {
                for column in table.columns.iter().flatten() {
                    if !self.is_credential(&column.name) || !text_like(&column.ty) {
                        continue;
                    }
                    sink.push(
                        Diagnostic::new(column.at.0, column.at.1, format!("column `{schema}.{name}.{}` ({}) stores a credential in plaintext", column.name, column.ty))
                            .help("store a hash (e.g. `key_hash text` with SHA-256 of the key), ciphertext, or a reference to a vault secret instead"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn patterns_match_whole_name_parts() {
        let files = [(
            "m/0001.sql",
            "create table objects (\n  path_tokens text[],\n  tokenizer text,\n  accessToken text,\n  user_private_key text,\n  private_keys text,\n  \"apiKey\" text\n);",
        )];
        assert_eq!(
            check_sql("sql/plaintext-credential-column", &files),
            vec![
                "m/0001.sql:5:3 column `public.objects.user_private_key` (text) stores a credential in plaintext",
                "m/0001.sql:7:3 column `public.objects.apiKey` (text) stores a credential in plaintext",
            ]
        );
    }

    #[test]
    fn reports_plaintext_credentials() {
        let files = [
            (
                "m/0001.sql",
                "create table keys (\n  id uuid,\n  api_key text,\n  key_hash text,\n  password_digest varchar(100),\n  secret_ref uuid,\n  client_secret varchar(64),\n  token_expires_at timestamptz,\n  refresh_token bytea,\n  old_token text\n);",
            ),
            (
                "m/0002.sql",
                "alter table keys rename column old_token to token_hash;\nalter table keys add column stripe_secret text;",
            ),
        ];
        assert_eq!(
            check_sql("sql/plaintext-credential-column", &files),
            vec![
                "m/0001.sql:3:3 column `public.keys.api_key` (text) stores a credential in plaintext",
                "m/0001.sql:7:3 column `public.keys.client_secret` (varchar(64)) stores a credential in plaintext",
                "m/0002.sql:2:29 column `public.keys.stripe_secret` (text) stores a credential in plaintext",
            ]
        );
    }
}
