//! Secret detection shared by every file kind: known credential formats (data in
//! `policies/secrets.toml`, gitleaks' rule shape), placeholder and secret-name heuristics, JWT
//! role decoding, and masking.
//!
//! Scanning is one Aho–Corasick pass over the text for every detector keyword, then only the
//! regexes of detectors whose keywords occurred. Regexes are compiled once per detector set.
//!
//! Nothing here returns or formats a raw secret except [`SecretMatch::span`]; callers show
//! secrets through [`mask`] and pass the span to `Diagnostic::redact`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

mod config;
mod heuristics;
pub mod jwt;

pub use config::ConfigError;
pub use heuristics::{
    CLIENT_PREFIXES, charset, generic_value_is_secret, is_publishable_key, is_template_reference,
    key_is_password_like, key_names_secret, looks_like_reference, name_words, shannon_entropy,
    strip_client_prefix,
};

use config::{Allowlist, Compiled, Detector, RawConfig, RegexTarget, Validate};

/// The built-in detector file, embedded so the binary needs nothing at run time.
pub const BUILTIN_DETECTORS: &str = include_str!("../../policies/secrets.toml");

/// Masks a secret for display: `****` and at most its last 4 characters; secrets shorter than 12
/// characters show no tail at all, because 4 characters would be a third of them.
pub fn mask(secret: &str) -> String {
    mask_with(secret, 4)
}

/// [`mask`] with a configurable tail length, capped at 4 (0 shows `****` only).
pub fn mask_with(secret: &str, tail: usize) -> String {
    let tail = tail.min(4);
    let chars: Vec<char> = secret.trim().chars().collect();
    if tail == 0 || chars.len() < 12 {
        return "****".to_string();
    }
    let mut out = String::from("****");
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// One secret found in a scanned value or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Detector id from `policies/secrets.toml`, e.g. `stripe-secret-key`.
    pub detector: &'static str,
    /// What kind of secret this is, e.g. `Stripe secret key`. Never contains the secret.
    pub description: String,
    /// Byte range of the secret within the scanned value or text.
    pub span: Range<usize>,
}

impl SecretMatch {
    /// The secret's text within `scanned` (empty if the span does not fit).
    pub fn secret<'a>(&self, scanned: &'a str) -> &'a str {
        scanned.get(self.span.clone()).unwrap_or("")
    }

    /// A safe description for messages: kind, length and masked tail, e.g.
    /// `Stripe secret key (32 chars, ****9xQz)`.
    pub fn summary(&self, scanned: &str) -> String {
        let secret = self.secret(scanned);
        format!(
            "{} ({} chars, {})",
            self.description,
            secret.chars().count(),
            mask(secret)
        )
    }
}

/// Is this value (optionally assigned to `key`) a real-looking secret? See [`Detectors::detect_value`].
pub fn detect_value(key: Option<&str>, value: &str) -> Option<SecretMatch> {
    Detectors::builtin().detect_value(key, value)
}

/// Every detector hit in free text. See [`Detectors::scan_text`].
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    Detectors::builtin().scan_text(text)
}

/// Does this variable name say it holds a credential?
pub fn key_looks_secret(key: &str) -> bool {
    heuristics::key_looks_secret(key)
}

/// Is this value a stand-in (empty, `changeme`, `<…>`, `${VAR}`, `…EXAMPLE`, …) rather than a secret?
pub fn is_placeholder(value: &str) -> bool {
    heuristics::is_placeholder(value)
}

/// Hosts whose databases are local-only: default passwords for them are not secrets.
const LOCAL_HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "::1",
    "[::1]",
    "host.docker.internal",
    "db",
    "database",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "mongodb",
    "rabbitmq",
    "supabase_db",
];

/// Passwords that are well-known local defaults (`postgres://postgres:postgres@localhost/…`).
const LOCAL_DEFAULT_PASSWORDS: &[&str] = &[
    "postgres", "password", "pass", "root", "secret", "admin", "mysql", "redis", "guest", "test",
    "dev", "local", "docker", "user", "pg", "sa", "mongo", "rabbitmq", "app", "changeme",
    "example",
];

/// A compiled set of detectors plus the local-default policy.
#[derive(Debug)]
pub struct Detectors {
    compiled: Compiled,
    local_default_passwords: Vec<String>,
}

static BUILTIN: LazyLock<Detectors> = LazyLock::new(|| {
    // The embedded file is part of the binary and covered by tests, not user input.
    Detectors::from_toml(BUILTIN_DETECTORS).expect("built-in policies/secrets.toml must compile")
});

impl Detectors {
    /// The detectors shipped in `policies/secrets.toml`.
    pub fn builtin() -> &'static Detectors {
        &BUILTIN
    }

    /// Compiles a detector file in gitleaks' TOML shape.
    pub fn from_toml(text: &str) -> Result<Detectors, ConfigError> {
        Ok(Detectors {
            compiled: RawConfig::parse(text)?.compile()?,
            local_default_passwords: LOCAL_DEFAULT_PASSWORDS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
        })
    }

    /// The built-in detectors with a user's file: its rules run first (they win overlaps), its
    /// global allowlist applies to all.
    pub fn builtin_with(user_toml: &str) -> Result<Detectors, ConfigError> {
        let mut user = RawConfig::parse(user_toml)?;
        let builtin = RawConfig::parse(BUILTIN_DETECTORS)?;
        user.rules.extend(builtin.rules);
        user.allowlists.extend(builtin.allowlist);
        user.allowlists.extend(builtin.allowlists);
        Ok(Detectors {
            compiled: user.compile()?,
            local_default_passwords: LOCAL_DEFAULT_PASSWORDS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
        })
    }

    /// Replaces the passwords that count as local-only defaults for local database hosts.
    pub fn with_local_default_passwords(
        mut self,
        passwords: impl IntoIterator<Item = String>,
    ) -> Self {
        self.local_default_passwords = passwords.into_iter().map(|p| p.to_lowercase()).collect();
        self
    }

    pub fn len(&self) -> usize {
        self.compiled.detectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.compiled.detectors.is_empty()
    }

    /// Detector ids in priority order.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.compiled.detectors.iter().map(|d| d.id)
    }

    /// Every detector hit in free text (docs, reports, logs, config), without path filters.
    pub fn scan_text(&self, text: &str) -> Vec<SecretMatch> {
        self.scan_file(None, text)
    }

    /// Every detector hit in a file's text. Rules with a `path` regex apply only when `path` is
    /// given and matches. Overlapping hits resolve to the earlier detector; the result is sorted
    /// by position.
    pub fn scan_file(&self, path: Option<&str>, text: &str) -> Vec<SecretMatch> {
        let compiled = &self.compiled;
        let mut enabled: Vec<bool> = compiled.detectors.iter().map(|d| !d.has_keywords).collect();
        if let Some(keywords) = &compiled.keywords {
            let mut remaining = compiled.keyword_detectors.len();
            let mut seen = vec![false; remaining];
            for hit in keywords.find_overlapping_iter(text) {
                let p = hit.pattern().as_usize();
                if !seen[p] {
                    seen[p] = true;
                    remaining -= 1;
                    for &d in &compiled.keyword_detectors[p] {
                        enabled[d] = true;
                    }
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        if path.is_some_and(|p| {
            compiled
                .global
                .iter()
                .any(|a| a.paths.iter().any(|r| r.is_match(p)))
        }) {
            return Vec::new();
        }
        // Accepted spans, start → (end, match); disjoint, so one neighbour check finds overlaps.
        let mut accepted: BTreeMap<usize, (usize, SecretMatch)> = BTreeMap::new();
        for (index, detector) in compiled.detectors.iter().enumerate() {
            if !enabled[index] || !path_applies(detector, path) {
                continue;
            }
            for caps in detector.regex.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                let Some(secret) = detector.secret_group.map_or(Some(whole), |g| caps.get(g))
                else {
                    continue;
                };
                if secret.is_empty()
                    || !self.accept(
                        detector,
                        &caps,
                        secret.as_str(),
                        whole.as_str(),
                        text,
                        whole.start(),
                    )
                {
                    continue;
                }
                let span = secret.range();
                let overlaps = accepted
                    .range(..span.end)
                    .next_back()
                    .is_some_and(|(_, (end, _))| *end > span.start);
                if !overlaps {
                    let found = SecretMatch {
                        detector: detector.id,
                        description: detector.description.to_string(),
                        span: span.clone(),
                    };
                    accepted.insert(span.start, (span.end, found));
                }
            }
        }
        accepted.into_values().map(|(_, m)| m).collect()
    }

    fn accept(
        &self,
        detector: &Detector,
        caps: &regex::Captures<'_>,
        secret: &str,
        matched: &str,
        text: &str,
        match_start: usize,
    ) -> bool {
        if detector
            .entropy
            .is_some_and(|floor| shannon_entropy(secret) < floor)
        {
            return false;
        }
        // Long multi-line material (PEM bodies) has legitimate runs of one character.
        if secret.len() <= 256 && !secret.contains('\n') && heuristics::is_placeholder(secret) {
            return false;
        }
        let line = || line_around(text, match_start, matched.len());
        let allowed = |list: &Allowlist| {
            let target = match list.target {
                RegexTarget::Secret => secret,
                RegexTarget::Match => matched,
                RegexTarget::Line => line(),
            };
            list.regexes.iter().any(|r| r.is_match(target)) || {
                let lower = secret.to_lowercase();
                list.stopwords.iter().any(|w| lower.contains(w.as_str()))
            }
        };
        if detector
            .allowlists
            .iter()
            .chain(&self.compiled.global)
            .any(allowed)
        {
            return false;
        }
        match detector.validate {
            Validate::None => true,
            Validate::Jwt => jwt::Jwt::decode(secret)
                .is_some_and(|t| !t.is_documented_sample() && t.role() != Some("anon")),
            Validate::JwtServiceRole => jwt::Jwt::decode(secret)
                .is_some_and(|t| !t.is_documented_sample() && t.role() == Some("service_role")),
            Validate::DbUrl => {
                let host = caps.get(3).map_or("", |m| m.as_str());
                self.url_password_is_secret(host, secret)
            }
            Validate::BasicAuth => jwt::base64url_decode(secret)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|pair| {
                    let (_, password) = pair.split_once(':')?;
                    Some(password.len() >= 6 && !heuristics::is_placeholder(password))
                })
                .unwrap_or(false),
            Validate::Generic => {
                let key = detector
                    .key_group
                    .and_then(|g| caps.get(g))
                    .map_or("", |m| m.as_str());
                heuristics::key_looks_secret(key)
                    && heuristics::generic_value_is_secret(key, secret)
            }
        }
    }

    fn url_password_is_secret(&self, host: &str, password: &str) -> bool {
        if heuristics::is_placeholder(password)
            || heuristics::is_template_reference(password)
            || password.starts_with('$')
            || password.starts_with('%')
        {
            return false;
        }
        let host = host.to_ascii_lowercase();
        let local = LOCAL_HOSTS.contains(&host.as_str())
            || host.ends_with(".local")
            || host.ends_with(".localhost");
        !(local
            && self
                .local_default_passwords
                .iter()
                .any(|p| p.eq_ignore_ascii_case(password)))
    }

    /// Is this value, optionally assigned to `key`, a real-looking secret? Placeholders and
    /// references are not; a known credential format is; so is a random-looking value under a
    /// secret-named key. JWTs are decoded: Supabase `anon` keys are public, `service_role` is not.
    /// The span is a byte range within `value`.
    pub fn detect_value(&self, key: Option<&str>, value: &str) -> Option<SecretMatch> {
        let trimmed = value.trim();
        if heuristics::is_placeholder(trimmed) || heuristics::is_publishable_key(trimmed) {
            return None;
        }
        let offset = value.len() - value.trim_start().len();
        let whole = offset..offset + trimmed.len();
        if let Some(token) = jwt::Jwt::decode(trimmed)
            && (token.role() == Some("anon") || token.is_documented_sample())
        {
            return None;
        }
        // Scan `KEY=value` so detectors that need the name (`TWILIO_AUTH_TOKEN=…`) see it.
        let key_text = key
            .map(|k| k.trim())
            .filter(|k| !k.is_empty() && !k.contains(['\n', '\r', '=']));
        let prefix = key_text.map_or(String::new(), |k| format!("{k}="));
        let synthetic = format!("{prefix}{value}");
        let base = prefix.len();
        let found = self
            .scan_text(&synthetic)
            .into_iter()
            .find(|m| m.span.start >= base)
            .map(|m| SecretMatch {
                span: m.span.start - base..m.span.end - base,
                ..m
            });
        if found.is_some() {
            return found;
        }
        let key = key_text?;
        let lower = trimmed.to_lowercase();
        let allowed = self.compiled.global.iter().any(|list| {
            list.regexes.iter().any(|r| r.is_match(trimmed))
                || list.stopwords.iter().any(|w| lower.contains(w.as_str()))
        });
        (!allowed
            && heuristics::key_looks_secret(key)
            && heuristics::generic_value_is_secret(key, trimmed))
        .then(|| SecretMatch {
            detector: "generic-secret",
            description: "Random-looking value assigned to a secret-named key".to_string(),
            span: whole,
        })
    }
}

fn path_applies(detector: &Detector, path: Option<&str>) -> bool {
    match (&detector.path, path) {
        (None, _) => path.is_none_or(|p| {
            !detector
                .allowlists
                .iter()
                .any(|a| a.paths.iter().any(|r| r.is_match(p)))
        }),
        (Some(_), None) => false,
        (Some(re), Some(p)) => {
            re.is_match(p)
                && !detector
                    .allowlists
                    .iter()
                    .any(|a| a.paths.iter().any(|r| r.is_match(p)))
        }
    }
}

/// The line containing `[start, start + len)`, for allowlists with `regexTarget = "line"`.
fn line_around(text: &str, start: usize, len: usize) -> &str {
    let begin = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start + len..]
        .find('\n')
        .map_or(text.len(), |i| start + len + i);
    &text[begin..end]
}

#[cfg(test)]
mod tests;
