use super::jwt::base64url_encode;
use super::*;

/// Deterministic fake material (xorshift), so no test carries a real credential.
fn fake(seed: u64, alphabet: &str, len: usize) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chars[(state % chars.len() as u64) as usize]
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";

fn jwt(claims: &str) -> String {
    let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    format!(
        "{header}.{}.{}",
        base64url_encode(claims.as_bytes()),
        fake(7, ALNUM, 43)
    )
}

#[test]
fn builtin_set_compiles_with_enough_detectors() {
    let detectors = Detectors::builtin();
    assert!(detectors.len() >= 60, "only {} detectors", detectors.len());
    let ids: Vec<_> = detectors.ids().collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate detector ids");
}

#[test]
fn mask_shows_at_most_four_chars() {
    assert_eq!(mask("short"), "****");
    assert_eq!(mask("elevenchars"), "****");
    assert_eq!(mask("twelve-chars"), "****hars");
    assert_eq!(mask("sk_live_0123456789abcdefWXYZ"), "****WXYZ");
    assert_eq!(mask(""), "****");
    assert_eq!(mask_with("sk_live_0123456789abcdefWXYZ", 0), "****");
    assert_eq!(mask_with("sk_live_0123456789abcdefWXYZ", 9), "****WXYZ");
    assert_eq!(mask("ééééééééééééé"), "****éééé");
}

#[test]
fn known_formats_are_detected_in_values() {
    let cases = [
        (
            "aws-access-key-id",
            None,
            format!("AKIA{}", fake(1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
        ),
        ("github-pat", None, format!("ghp_{}", fake(2, ALNUM, 36))),
        (
            "stripe-secret-key",
            Some("STRIPE_KEY"),
            format!("sk_live_{}", fake(3, ALNUM, 24)),
        ),
        (
            "supabase-secret-key",
            None,
            format!("sb_secret_{}", fake(4, ALNUM, 32)),
        ),
        (
            "twilio-auth-token",
            Some("TWILIO_AUTH_TOKEN"),
            fake(5, HEX, 32),
        ),
        (
            "slack-bot-token",
            None,
            format!("xoxb-7301948265-5820193746-{}", fake(6, ALNUM, 24)),
        ),
        (
            "openai-project-key",
            None,
            format!("sk-proj-{}", fake(8, ALNUM, 64)),
        ),
    ];
    for (detector, key, value) in cases {
        let found = detect_value(key, &value).unwrap_or_else(|| panic!("{detector} missed"));
        assert_eq!(found.detector, detector);
        assert_eq!(found.span, 0..value.len());
    }
}

#[test]
fn supabase_jwt_roles() {
    let service = jwt(
        r#"{"iss":"supabase","ref":"qwertyuiopasdfgh","role":"service_role","iat":1700000000,"exp":2000000000}"#,
    );
    let anon = jwt(
        r#"{"iss":"supabase","ref":"qwertyuiopasdfgh","role":"anon","iat":1700000000,"exp":2000000000}"#,
    );
    let demo = jwt(r#"{"iss":"supabase-demo","role":"service_role","exp":1983812996}"#);
    let user = jwt(r#"{"sub":"42","role":"authenticated","exp":2000000000}"#);
    assert_eq!(
        detect_value(Some("SUPABASE_SERVICE_ROLE_KEY"), &service).map(|m| m.detector),
        Some("supabase-service-role-jwt")
    );
    assert_eq!(
        detect_value(Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"), &anon),
        None
    );
    // The name says service role but the token is the anon key: the token decides.
    assert_eq!(detect_value(Some("SUPABASE_SERVICE_ROLE_KEY"), &anon), None);
    assert_eq!(detect_value(Some("SUPABASE_SERVICE_ROLE_KEY"), &demo), None);
    assert_eq!(detect_value(None, &user).map(|m| m.detector), Some("jwt"));
}

#[test]
fn placeholders_and_local_defaults_are_not_secrets() {
    for (key, value) in [
        ("API_KEY", ""),
        ("API_KEY", "changeme"),
        ("API_KEY", "your-api-key-here"),
        ("API_KEY", "<api key>"),
        ("API_KEY", "xxxxxxxxxxxxxxxxxxxx"),
        ("API_KEY", "***"),
        ("API_KEY", "example"),
        ("API_KEY", "dummy"),
        ("API_KEY", "replace-me"),
        ("API_KEY", "${API_KEY}"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "DATABASE_URL",
            "postgres://postgres:postgres@localhost:5432/postgres",
        ),
        (
            "DATABASE_URL",
            "postgresql://app:${DB_PASSWORD}@db.internal:5432/app",
        ),
        ("REDIS_URL", "redis://localhost:6379"),
        ("SECRET_REF", "tenant.acme.supabase.service_role"),
        ("STRIPE_SECRET_KEY", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("PORT", "8080"),
        ("NEXT_PUBLIC_SITE_URL", "https://app.example.com"),
    ] {
        assert_eq!(detect_value(Some(key), value), None, "{key}={value}");
    }
}

#[test]
fn generic_secret_named_keys() {
    let random = fake(11, ALNUM, 40);
    let found = detect_value(Some("PARTNER_BOOTSTRAP_SECRET"), &random).expect("random secret");
    assert_eq!(found.detector, "generic-secret");
    assert_eq!(found.span, 0..40);
    // Same value under a name that does not say secret is not flagged.
    assert_eq!(detect_value(Some("BUILD_ID"), &random), None);
    let passphrase = format!("{}!{}", fake(12, ALNUM, 8), fake(13, ALNUM, 4));
    assert!(detect_value(Some("BOT1_BITGET_PASSPHRASE"), &passphrase).is_some());
    let prod_db = format!(
        "postgres://svc:{}@db.prod.internal:5432/app",
        fake(14, ALNUM, 20)
    );
    let m = detect_value(Some("DATABASE_URL"), &prod_db).expect("db url");
    assert_eq!(m.detector, "database-url-password");
    assert_eq!(&prod_db[m.span.clone()], &prod_db[15..35]);
}

#[test]
fn value_spans_are_relative_to_the_value() {
    let token = format!("ghp_{}", fake(21, ALNUM, 36));
    let value = format!("  Bearer {token}");
    let m = detect_value(Some("AUTH_HEADER"), &value).expect("token");
    assert_eq!(&value[m.span.clone()], token);
}

#[test]
fn scan_text_finds_all_and_resolves_overlaps() {
    let gh = format!("ghp_{}", fake(31, ALNUM, 36));
    let aws = format!("AKIA{}", fake(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let text = format!(
        "# Incident notes\nThe leaked token was {gh} (rotated).\nGITHUB_TOKEN={gh}\naws key: {aws}\nDocs use AKIAIOSFODNN7EXAMPLE.\n"
    );
    let hits = scan_text(&text);
    let ids: Vec<_> = hits.iter().map(|m| m.detector).collect();
    assert_eq!(ids, ["github-pat", "github-pat", "aws-access-key-id"]);
    for m in &hits {
        assert!(!m.secret(&text).is_empty());
        assert!(!m.summary(&text).contains(m.secret(&text)));
    }
    assert!(scan_text("nothing to see here\n").is_empty());
}

#[test]
fn private_keys_span_the_whole_block() {
    let body: String = (0..10).map(|i| fake(40 + i, ALNUM, 64) + "\n").collect();
    let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----");
    let text = format!("key:\n{pem}\n");
    let hits = scan_text(&text);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].detector, "private-key");
    assert_eq!(hits[0].secret(&text), pem);
    let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
    assert!(scan_text(public).is_empty());
}

#[test]
fn user_detectors_load_in_gitleaks_shape() {
    let user = r#"
[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''\b(acme_[a-z0-9]{20})\b'''
secretGroup = 1
keywords = ["acme_"]
[rules.allowlist]
stopwords = ["acme_00000000"]
"#;
    let detectors = Detectors::builtin_with(user).expect("compiles");
    assert_eq!(detectors.len(), Detectors::builtin().len() + 1);
    let hits = detectors.scan_text("token acme_k3j4h5g6f7d8s9a0q1w2 here");
    assert_eq!(
        hits.iter().map(|m| m.detector).collect::<Vec<_>>(),
        ["acme-token"]
    );
    assert!(matches!(
        Detectors::from_toml("[[rules]]\nid='x'\nregex='('"),
        Err(ConfigError::Regex { .. })
    ));
    assert!(matches!(
        Detectors::from_toml("[[rules]]\nid='x'\nbogus=1"),
        Err(ConfigError::Toml(_))
    ));
}

#[test]
fn scanning_never_panics_on_odd_input() {
    for text in [
        "",
        "=",
        "\u{feff}KEY=\"",
        "é=é",
        "-----BEGIN PRIVATE KEY-----",
        "postgres://:@",
        "eyJ.eyJ.x",
    ] {
        let _ = scan_text(text);
        let _ = detect_value(Some(text), text);
    }
    let big = "SECRET_KEY=".repeat(20_000);
    let _ = scan_text(&big);
}

#[test]
fn builtin_regexes_compile_without_unicode_tables() {
    // Unicode-mode regexes take ~10x longer to compile; only explicit `(?u:…)` groups may use it.
    let raw = config::RawConfig::parse(BUILTIN_DETECTORS).unwrap();
    for rule in raw.rules {
        let pattern = rule.regex.unwrap_or_default();
        assert!(
            regex::RegexBuilder::new(&pattern)
                .unicode(false)
                .build()
                .is_ok(),
            "{} needs Unicode",
            rule.id
        );
    }
}
