//! Name and value heuristics: placeholders, secret-named keys, references, Shannon entropy.

use std::sync::LazyLock;

use regex::Regex;

/// Prefixes that make a variable part of a browser bundle. Stripped before judging the rest of a
/// name, so `NEXT_PUBLIC_SERVICE_ROLE_KEY` is still secret-named.
pub const CLIENT_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VITE_",
    "PUBLIC_",
    "GATSBY_",
    "STORYBOOK_",
];

/// Whole values that are obviously not credentials (compared lowercase).
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "secret",
    "secrets",
    "password",
    "passwd",
    "pass",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "key",
    "value",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "test",
    "testing",
    "todo",
    "tbd",
    "fixme",
    "n/a",
    "na",
    "foo",
    "bar",
    "baz",
    "qux",
    "dev",
    "local",
    "sample",
    "default",
    "admin",
    "root",
    "user",
    "guest",
    "demo",
    "empty",
    "string",
    "required",
    "optional",
    "unset",
    "redacted",
    "hidden",
    "masked",
    "secret123",
    "password123",
    "password1",
    "123456",
    "12345678",
    "letmein",
    "s3cr3t",
    "pa55word",
    "p@ssw0rd",
    "p@ssword",
    "hunter2",
];

/// Substrings that mark a value as a stand-in (compared lowercase).
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "changeme",
    "change-me",
    "change_me",
    "replace-me",
    "replace_me",
    "replaceme",
    "replace-with",
    "replace_with",
    "placeholder",
    "dummy",
    "redacted",
    "xxxx",
    "****",
    "....",
    "•••",
    "…",
    "insert-your",
    "insert_your",
    "insert your",
    "not-a-real",
    "not_a_real",
    "notreal",
    "fake",
    "todo",
    "fixme",
    "123456789",
    "abcdefgh",
    "your-",
    "your_",
    "-here",
    "_here",
    " here",
    "sample",
    "<",
    ">",
];

/// Is `value` a stand-in rather than a credential? Empty values, `changeme`, `your-…-here`,
/// `<…>`, `xxx…`, `***`, `${VAR}`, `{{ template }}`, documented fakes (`…EXAMPLE…`) and long runs of
/// one character all count.
pub fn is_placeholder(value: &str) -> bool {
    let v = strip_quotes(value.trim());
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if lower.starts_with("your") && !lower.chars().nth(4).is_some_and(|c| c.is_ascii_digit()) {
        return true;
    }
    if is_template_reference(v) {
        return true;
    }
    // Runs of one repeated character essentially never occur in random material.
    if longest_run(v) >= 6 {
        return true;
    }
    v.chars()
        .all(|c| matches!(c, 'x' | 'X' | '*' | '#' | '.' | '-' | '_' | '0' | '?'))
}

/// `${VAR}`, `${VAR:-x}`, `$VAR`, `$(cmd)`, `%VAR%`, `{{ expr }}`, `<%= expr %>`, `#{expr}`.
pub fn is_template_reference(v: &str) -> bool {
    static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([^)]*\)|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|\{%.*%\}|<%.*%>|#\{[^}]*\}|\[\[.*\]\])$")
            .expect("static regex")
    });
    TEMPLATE.is_match(v)
}

fn strip_quotes(v: &str) -> &str {
    for q in ['"', '\'', '`'] {
        if let Some(inner) = v.strip_prefix(q).and_then(|rest| rest.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn longest_run(v: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for c in v.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        best = best.max(run);
    }
    best
}

/// Splits a variable name into upper-case words: `clientSecret` and `CLIENT_SECRET` both give
/// `["CLIENT", "SECRET"]`.
pub fn name_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Removes a client-exposed prefix (`NEXT_PUBLIC_`, `VITE_`, …) from a name, case-insensitively.
pub fn strip_client_prefix(key: &str) -> &str {
    for prefix in CLIENT_PREFIXES {
        if key.len() > prefix.len()
            && key.is_char_boundary(prefix.len())
            && key[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            return &key[prefix.len()..];
        }
    }
    key
}

/// Words that make a name secret on their own.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "SECRETS",
    "PASSWORD",
    "PASSWORDS",
    "PASSWD",
    "PWD",
    "PASS",
    "TOKEN",
    "TOKENS",
    "PRIVATE",
    "PASSPHRASE",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "APIKEY",
    "SECRETKEY",
    "ACCESSKEY",
    "PRIVATEKEY",
    "AUTHTOKEN",
    "SALT",
    "DSN_PASSWORD",
    "JWT",
    "COOKIE_SECRET",
];

/// A `KEY` preceded by one of these is a credential (`API_KEY`, `SIGNING_KEY`, `SERVICE_ROLE`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "ENC",
    "MASTER",
    "AUTH",
    "SERVICE",
    "SESSION",
    "APP",
    "HMAC",
    "LICENSE",
    "CLIENT",
    "ADMIN",
    "WEBHOOK",
    "CRYPTO",
    "CIPHER",
    "DECRYPTION",
    "ROOT",
    "ACCOUNT",
    "STORAGE",
    "SHARED",
    "SSH",
    "GPG",
    "PGP",
    "TLS",
    "SSL",
];

/// Words that make a name clearly not a credential, wherever they appear.
const PUBLIC_WORDS: &[&str] = &["PUBLIC", "PUBLISHABLE", "ANON", "PUB"];

/// `KEY` after one of these is a data key, not a credential.
const DATA_KEY_QUALIFIERS: &[&str] = &[
    "PRIMARY",
    "FOREIGN",
    "SORT",
    "PARTITION",
    "CACHE",
    "IDEMPOTENCY",
    "OBJECT",
    "ROUTING",
    "LOOKUP",
    "SITE",
    "MAP",
    "S3",
];

/// A final word that makes the variable describe a secret rather than hold one
/// (`PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME`, `API_KEY_ID`).
const DESCRIPTOR_SUFFIXES: &[&str] = &[
    "URL",
    "URI",
    "URLS",
    "ENDPOINT",
    "HOST",
    "HOSTNAME",
    "PORT",
    "PATH",
    "FILE",
    "FILES",
    "DIR",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "NAME",
    "ID",
    "IDS",
    "REGION",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "LENGTH",
    "LEN",
    "HEADER",
    "ALGORITHM",
    "ALG",
    "TYPE",
    "VERSION",
    "MODE",
    "COUNT",
    "SIZE",
    "FORMAT",
    "PREFIX",
    "FIELD",
    "PARAM",
    "ARN",
    "REF",
    "REFERENCE",
    "LOCATION",
    "PROVIDER",
    "ROTATION",
    "DAYS",
    "SECONDS",
    "SECS",
    "MS",
    "MINUTES",
    "HOURS",
    "AGE",
    "LIFETIME",
    "KIND",
    "HINT",
    "LABEL",
    "EMAIL",
    "USER",
    "USERNAME",
    "LOGIN",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "METHOD",
    "STRATEGY",
    "POLICY",
    "BUCKET",
    "TABLE",
    "COLUMN",
    "VAR",
    "ENV",
    "KEYS",
    "REQUIRED",
    "RESET",
    "POLICY",
    "MIN",
    "MAX",
    "LIMIT",
    "RULES",
    "STORE",
    "VAULT",
    "MANAGER",
    "BACKEND",
    "SOURCE",
    "COMMAND",
    "CMD",
    "SCRIPT",
    "HASH",
    "DIGEST",
    "CHECKSUM",
    "FINGERPRINT",
    "SHA",
    "MD5",
    "ROUNDS",
    "ITERATIONS",
    "COST",
];

/// Does this variable name say it holds a credential? `SECRET`, `PASSWORD`, `TOKEN`, `PRIVATE`,
/// `SERVICE_ROLE`, `API_KEY`, `*_API_SECRET`, `*_PASSPHRASE`, `clientSecret`, … — but not
/// `PUBLISHABLE_KEY`, `ANON_KEY`, `TOKEN_URL`, `PASSWORD_FILE` or `AWS_ACCESS_KEY_ID`.
pub fn key_looks_secret(key: &str) -> bool {
    secret_name_strength(key) != NameStrength::No
}

/// Like [`key_looks_secret`] but only for names that say secret outright (`SECRET`, `TOKEN`,
/// `PASSWORD`, `PRIVATE`, `SERVICE_ROLE`, `API_KEY`, …), not a bare vendor and `KEY`
/// (`NEXT_PUBLIC_MAPBOX_KEY` is a public key by convention).
pub fn key_names_secret(key: &str) -> bool {
    secret_name_strength(key) == NameStrength::Strong
}

#[derive(Debug, PartialEq, Eq)]
enum NameStrength {
    No,
    /// A vendor name and `KEY`: usually a credential in server config.
    Weak,
    Strong,
}

fn secret_name_strength(key: &str) -> NameStrength {
    let words = name_words(strip_client_prefix(key.trim()));
    let Some(last) = words.last() else {
        return NameStrength::No;
    };
    if DESCRIPTOR_SUFFIXES.contains(&last.as_str())
        || words.iter().any(|w| PUBLIC_WORDS.contains(&w.as_str()))
    {
        return NameStrength::No;
    }
    if words.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) {
        return NameStrength::Strong;
    }
    for pair in words.windows(2) {
        let (a, b) = (pair[0].as_str(), pair[1].as_str());
        if (a == "SERVICE" && b == "ROLE") || (b == "KEY" && KEY_QUALIFIERS.contains(&a)) {
            return NameStrength::Strong;
        }
    }
    if words.len() >= 2
        && last == "KEY"
        && !DATA_KEY_QUALIFIERS.contains(&words[words.len() - 2].as_str())
    {
        NameStrength::Weak
    } else {
        NameStrength::No
    }
}

/// Keys that are public by design: Stripe publishable (`pk_live_`, `pk_test_`) and Supabase
/// publishable (`sb_publishable_`) keys.
pub fn is_publishable_key(value: &str) -> bool {
    let v = value.trim();
    ["pk_live_", "pk_test_", "sb_publishable_"]
        .iter()
        .any(|p| v.starts_with(p))
}

/// Names that hold human-chosen secrets, which carry less entropy than generated ones.
pub fn key_is_password_like(key: &str) -> bool {
    name_words(key).iter().any(|w| {
        matches!(
            w.as_str(),
            "PASSWORD" | "PASSWD" | "PWD" | "PASS" | "PASSPHRASE"
        )
    })
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut other = std::collections::HashMap::new();
    let mut total = 0u32;
    for c in s.chars() {
        total += 1;
        if (c as u32) < 256 {
            counts[c as usize] += 1;
        } else {
            *other.entry(c).or_insert(0u32) += 1;
        }
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .copied()
        .chain(other.into_values())
        .filter(|&n| n > 0)
        .map(|n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

/// The alphabet a value is drawn from, which sets how much entropy a random value of it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `0-9a-f` (and dashes, as in UUIDs): at most 4 bits per character.
    Hex,
    /// Letters only.
    Letters,
    /// Letters and digits, with base64/base64url punctuation.
    Base64,
    /// Anything with other symbols: passwords.
    Symbols,
}

pub fn charset(v: &str) -> Charset {
    let hex = v.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if hex {
        return Charset::Hex;
    }
    if v.chars().all(|c| c.is_ascii_alphabetic()) {
        return Charset::Letters;
    }
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'))
    {
        return Charset::Base64;
    }
    Charset::Symbols
}

/// Minimum entropy (bits/char) for a value under a secret-named key to count as generated.
pub fn entropy_floor(set: Charset, password_like: bool) -> f64 {
    let base = match set {
        Charset::Hex => 3.0,
        Charset::Letters => 3.9,
        Charset::Base64 => 3.3,
        Charset::Symbols => 3.0,
    };
    if password_like { base - 0.4 } else { base }
}

/// A value that points at a secret instead of holding one: URLs without credentials, paths,
/// secret-manager references, code expressions, dotted identifiers, e-mail addresses.
pub fn looks_like_reference(v: &str) -> bool {
    static DOTTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_<][A-Za-z0-9_<>-]*)+$")
            .expect("static regex")
    });
    static EMAIL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[^@\s:/]+@[^@\s:/]+\.[A-Za-z]{2,}$").expect("static regex"));
    static WORDY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-z]+(?:[-_.][a-z0-9]+)*$|^[A-Z]+(?:[-_.][A-Z0-9]+)*$")
            .expect("static regex")
    });
    let lower = v.to_ascii_lowercase();
    const SCHEMES: &[&str] = &[
        "arn:",
        "vault:",
        "op://",
        "sm://",
        "secret://",
        "secretsmanager:",
        "ssm:",
        "awssm:",
        "gcpsm:",
        "gcp:",
        "azure:",
        "keyvault:",
        "akv:",
        "projects/",
        "file:",
        "env:",
        "ref+",
        "doppler:",
        "infisical:",
        "sops:",
    ];
    if lower.contains("://") || SCHEMES.iter().any(|s| lower.starts_with(s)) {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("../") || v.starts_with("~/") {
        return true;
    }
    if v.len() > 2 && v.as_bytes()[1] == b':' && v.as_bytes().get(2) == Some(&b'\\') {
        return true;
    }
    if v.contains(['(', ')', '[', ']', '{', '}', '<', '>', ' ']) {
        return true;
    }
    DOTTED.is_match(v) || EMAIL.is_match(v) || WORDY.is_match(v)
}

/// Is `value`, assigned to a secret-named key, random-looking enough to be a real credential?
pub fn generic_value_is_secret(key: &str, value: &str) -> bool {
    let v = value.trim();
    let len = v.chars().count();
    if !(8..=1000).contains(&len) || is_placeholder(v) || looks_like_reference(v) {
        return false;
    }
    if v.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '_')
    {
        return false;
    }
    let password_like = key_is_password_like(key);
    let set = charset(v);
    // Short hex strings and letters-only strings are mostly identifiers and words.
    if !password_like && matches!(set, Charset::Hex | Charset::Letters) && len < 16 {
        return false;
    }
    shannon_entropy(v) >= entropy_floor(set, password_like)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for v in [
            "",
            "  ",
            "changeme",
            "CHANGEME",
            "your-api-key-here",
            "YOUR_API_KEY",
            "<your token>",
            "<redacted>",
            "xxxxxxxxxxxxxxxx",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "***",
            "********",
            "example",
            "dummy",
            "replace-me",
            "${SECRET_KEY}",
            "${DB_PASSWORD:-postgres}",
            "$API_TOKEN",
            "{{ .Values.token }}",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "\"\"",
            "'changeme'",
            "0000000000",
            "my-fake-token",
        ] {
            assert!(is_placeholder(v), "{v:?} should be a placeholder");
        }
        for v in [
            "sk_live_51HqA2bC3dE4fG5hI6jK7lM8n",
            "Xk29dLq0Zr8vPq1m",
            "ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx95",
        ] {
            assert!(!is_placeholder(v), "{v:?} is not a placeholder");
        }
    }

    #[test]
    fn secret_names() {
        for k in [
            "SECRET_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "JWT_PRIVATE_KEY",
            "SUPABASE_SERVICE_ROLE_KEY",
            "OPENAI_API_KEY",
            "BOT1_BITGET_API_SECRET",
            "BOT1_BITGET_PASSPHRASE",
            "clientSecret",
            "apiKey",
            "NEXT_PUBLIC_SERVICE_ROLE_KEY",
            "STRIPE_KEY",
            "aws_secret_access_key",
            "REDIS_PASS",
        ] {
            assert!(key_looks_secret(k), "{k} should look secret");
        }
        for k in [
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "PUBLIC_KEY",
            "TOKEN_URL",
            "PASSWORD_FILE",
            "AWS_ACCESS_KEY_ID",
            "SECRET_NAME",
            "DATABASE_URL",
            "PORT",
            "CACHE_KEY",
            "KEY",
            "JWT_EXPIRY",
            "RECAPTCHA_SITE_KEY",
            "",
        ] {
            assert!(!key_looks_secret(k), "{k} should not look secret");
        }
    }

    #[test]
    fn strong_and_weak_names() {
        assert!(key_names_secret("NEXT_PUBLIC_SERVICE_ROLE_KEY"));
        assert!(key_names_secret("VITE_API_SECRET"));
        assert!(!key_names_secret("NEXT_PUBLIC_MAPBOX_KEY"));
        assert!(key_looks_secret("NEXT_PUBLIC_MAPBOX_KEY"));
        assert!(is_publishable_key("pk_live_abc") && is_publishable_key("sb_publishable_x"));
        assert!(!is_publishable_key("sk_live_abc"));
    }

    #[test]
    fn entropy_and_charsets() {
        assert!(shannon_entropy("aaaa") < 0.01);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
        assert_eq!(charset("deadbeef-1234"), Charset::Hex);
        assert_eq!(charset("abcXYZ"), Charset::Letters);
        assert_eq!(charset("ab12+/=="), Charset::Base64);
        assert_eq!(charset("p@ss!"), Charset::Symbols);
    }

    #[test]
    fn references_are_not_values() {
        for v in [
            "tenant.acme.supabase.service_role",
            "https://vault.example.com/v1/secret",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "/run/secrets/db_password",
            "process.env.API_KEY",
            "os.environ.get(\"X\")",
            "ops@company.io",
            "my-local-dev-secret",
        ] {
            assert!(looks_like_reference(v), "{v}");
        }
        assert!(!looks_like_reference("Xk29dLq0Zr8vPq1m"));
    }

    #[test]
    fn generic_values() {
        assert!(generic_value_is_secret(
            "API_SECRET",
            "q8Zr2LmN4vX7pT1sK9wB3yH6"
        ));
        assert!(generic_value_is_secret("DB_PASSWORD", "Tr0ub4dor&3x!"));
        assert!(!generic_value_is_secret("DB_PASSWORD", "redispass"));
        assert!(!generic_value_is_secret(
            "API_SECRET",
            "tenant.acme.supabase.service_role"
        ));
        assert!(!generic_value_is_secret("API_SECRET", "12345678901234"));
        assert!(!generic_value_is_secret("API_SECRET", "mySecretPassword"));
    }
}
