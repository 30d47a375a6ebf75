//! The governance report (`--format markdown`) as pre-merge evidence: policy and hash, tool version,
//! files per kind, baseline size and stale entries, changed-files scope, checklist per area, findings
//! by area and suppressions with reasons. Snapshot-tested.

mod adopt_support;
mod common;

use adopt_support::{commit_all, init, write};
use common::{code, run_in, stdout};

/// A repository with accepted legacy debt (baselined), a fixed-since-baseline finding (stale entry),
/// a waiver with a reason, and a new migration with a new finding.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root);
    write(
        root,
        "supabase/migrations/20250101000000_init.sql",
        "create table public.legacy_audit (id int);\ncreate table public.legacy_notes (id int);\n",
    );
    write(
        root,
        "Dockerfile",
        "FROM node:20.11-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n",
    );
    commit_all(root, "legacy");
    assert_eq!(code(&run_in(root, &["baseline"])), 0);
    write(
        root,
        "supabase/migrations/20250201000000_fix_notes.sql",
        "alter table public.legacy_notes enable row level security;\n",
    );
    commit_all(root, "baseline and a fix");
    write(
        root,
        "supabase/migrations/20250301000000_bots.sql",
        "create table public.bot_keys (id uuid primary key, key_hash text);\n\
         -- tollgate-ignore sql/require-rls owner=@db-team -- service-role only import table, see SEC-12\n\
         create table public.bot_import (raw jsonb);\n",
    );
    dir
}

#[test]
fn governance_report_with_baseline_and_suppressions() {
    let dir = repo();
    let out = run_in(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("governance_report_baseline", stdout(&out));
}

#[test]
fn governance_report_for_changed_files() {
    let dir = repo();
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "markdown",
            "--changed-since",
            "HEAD",
            "--no-baseline",
        ],
    );
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("governance_report_changed_files", stdout(&out));
}

#[test]
fn governance_report_without_findings_is_green() {
    let dir = repo();
    write(
        dir.path(),
        "supabase/migrations/20250302000000_bots_rls.sql",
        "alter table public.bot_keys enable row level security;\n",
    );
    let out = run_in(
        dir.path(),
        &["check", "--format", "markdown", "--no-baseline"],
    );
    let report = stdout(&out);
    assert!(
        report.contains("Baseline: none, every finding is reported."),
        "{report}"
    );
    assert!(
        report.contains("- [ ] ❌ Row level security and database policies: 1 errors"),
        "{report}"
    );
    let out = run_in(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(code(&out), 0);
    let report = stdout(&out);
    assert!(report.contains("**Governance checks green**"), "{report}");
    assert!(
        report.contains("- [x] ✅ Row level security and database policies"),
        "{report}"
    );
}
