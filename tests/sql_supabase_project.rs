//! The realistic Supabase project under `fixtures/supabase-project` (22 migrations: auth trigger,
//! storage policies, plpgsql helpers, enums, grants, partitions, views, cron) is analysed with no
//! crash, no parse errors, and exactly the findings its DELIBERATE comments announce.

mod common;

use common::*;

const DIR: &str = "fixtures/supabase-project/supabase/migrations";

fn sql_findings(args: &[&str]) -> Vec<String> {
    let out = run(args);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    findings(&stdout(&out))
        .into_iter()
        .filter(|f| f.starts_with("sql/"))
        .map(|f| f.replace(&format!("{DIR}/"), ""))
        .collect()
}

#[test]
fn recommended_pack_reports_exactly_the_deliberate_problems() {
    let found = sql_findings(&["check", "fixtures/supabase-project", "--format", "json"]);
    assert_eq!(
        found,
        vec![
            "sql/unparsed-statement 20240101000100_enums.sql:2:1",
            "sql/permissive-policy 20240102000000_profiles.sql:16:10",
            "sql/permissive-policy 20240118000000_feature_flags.sql:11:21",
            "sql/plaintext-credential-column 20240119000000_webhooks.sql:6:3",
            "sql/security-definer-view 20240121000000_org_dashboard.sql:2:13",
        ]
    );
}

#[test]
fn strict_pack_adds_the_hygiene_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("tollgate.toml");
    std::fs::write(&policy, "extends = [\"strict\"]\n").expect("write policy");
    let found = sql_findings(&[
        "check",
        "fixtures/supabase-project",
        "--format",
        "json",
        "--policy",
        policy.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(
        found,
        vec![
            "sql/unparsed-statement 20240101000100_enums.sql:2:1",
            "sql/permissive-policy 20240102000000_profiles.sql:16:10",
            "sql/auth-function-per-row 20240110000000_comments.sql:27:10",
            "sql/require-policy 20240117000000_billing.sql:10:1",
            "sql/permissive-policy 20240118000000_feature_flags.sql:11:21",
            "sql/plaintext-credential-column 20240119000000_webhooks.sql:6:3",
            "sql/security-definer-view 20240121000000_org_dashboard.sql:2:13",
        ]
    );
}
