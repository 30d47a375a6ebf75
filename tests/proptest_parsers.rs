//! Property tests over every parser's public API, in the normal suite: no panic on arbitrary input,
//! spans always inside the file and on char boundaries, and the SQL lexer/splitter lose nothing but
//! whitespace, comments and empty statements.
//!
//! Inputs are arbitrary bytes (read lossily, as the engine would after its UTF-8 check) and "token
//! soups" of each language's significant fragments, which reach much deeper than random bytes.

use proptest::prelude::*;

#[path = "../fuzz/src/checks.rs"]
mod checks;
use checks::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        // `PROPTEST_CASES=20000 cargo test --release --test proptest_parsers` for a longer run.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        // Failures are reproduced from the printed seed; no regression files in the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Concatenations of fragments, so inputs are dense in what the parser reacts to.
fn soup(fragments: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(fragments).prop_map(str::to_string),
            1 => "[ -~\\n\\té€😀\\u{0}]{0,4}",
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

const SQL_FRAGMENTS: &[&str] = &[
    "create table ",
    "alter table ",
    " enable row level security",
    "create policy p on ",
    "t",
    " public.",
    "(",
    ")",
    ";",
    ";\n",
    " ",
    "\n",
    "'",
    "''",
    "E'\\''",
    "$$",
    "$tag$",
    "$tag",
    "\"",
    "\"\"",
    "--",
    "/*",
    "*/",
    "\\c db\n",
    "do $$ begin ",
    " end $$",
    "execute '",
    "create function f() returns trigger as ",
    " language plpgsql",
    "grant select on ",
    " to anon",
    "insert into t values (1)",
    "1e5",
    "$1",
    "::",
    "é",
    "😀",
    "\r\n",
    "-- tollgate-ignore sql/require-rls -- why\n",
    "set search_path = x",
    ",",
];

const DOCKER_FRAGMENTS: &[&str] = &[
    "FROM ",
    "alpine:3.19",
    " AS build",
    "RUN ",
    "USER ",
    "root",
    "1000:1000",
    "COPY ",
    "--from=build ",
    "--chown=a:b ",
    "ADD ",
    "http://x/y ",
    "ENV ",
    "A=B ",
    "ARG ",
    "V=1",
    "${V}",
    "$V",
    "${V:-d}",
    "\\\n",
    "`\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "<<EOF\n",
    "EOF\n",
    "<<-EOT",
    "[\"sh\", \"-c\"]",
    "[",
    "\"",
    "HEALTHCHECK ",
    "CMD ",
    "NONE",
    "ONBUILD ",
    "curl x | sh",
    "sudo ",
    "\n",
    " ",
    "#",
    "é",
    "ENTRYPOINT ",
    "WORKDIR /",
    "SHELL [\"bash\"]",
    "\t",
    "\r\n",
];

const POLICY_FRAGMENTS: &[&str] = &[
    "[files]\n",
    "[limits]\n",
    "[rules.sql]\n",
    "[rules.docker]\n",
    "[[overrides]]\n",
    "[suppressions]\n",
    "extends = [\"recommended\"]\n",
    "extends = [\"strict\"]\n",
    "extends = [\"./x.toml\"]\n",
    "require-rls = \"error\"\n",
    "require-rls = { level = \"warning\", options = { schemas = [\"a\"] } }\n",
    "max-file-size = 10\n",
    "max-findings-per-file = 1\n",
    "files = [\"**\"]\n",
    "include = [\"[\"]\n",
    "exclude = [\"**/x\"]\n",
    "[files.kinds]\nsql = [\"*.sql\"]\n",
    "name = \"x\"\n",
    "=",
    "\"",
    "[",
    "]",
    "\n",
    "{",
    "}",
    "bogus = 1\n",
    "level = \"off\"\n",
    "require-reason = false\n",
];

const YAML_FRAGMENTS: &[&str] = &[
    "apiVersion: v1\n",
    "kind: Pod\n",
    "kind: Deployment\n",
    "metadata:\n",
    "  name: x\n",
    "spec:\n",
    "  containers:\n",
    "  - name: a\n",
    "    image: nginx\n",
    "    securityContext:\n",
    "      privileged: true\n",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "  ",
    "\n",
    "\"",
    "'",
    "|\n",
    ">-\n",
    "!!str ",
    "? ",
    "# c\n",
    "{{ .Values.x }}",
    "é",
    "😀",
    "\t",
    "key: &k [x, *k]\n",
    "%YAML 1.2\n",
];

const SUPPRESS_FRAGMENTS: &[&str] = &[
    "-- ",
    "# ",
    "/* ",
    "*/",
    "tollgate-ignore ",
    "tollgate-ignore-file ",
    "sql/require-rls",
    "docker/no-sudo",
    ",",
    " -- ",
    "reason",
    "until=2026-01-01 ",
    "until=2026-13-45 ",
    "owner=me ",
    "\n",
    " ",
    "é",
    "😀",
    "tollgate-ignore",
    "nope/x",
];

const ENV_FRAGMENTS: &[&str] = &[
    "KEY",
    "=",
    "export ",
    "\"",
    "'",
    "`",
    "\\",
    "\n",
    "\r\n",
    "#",
    " ",
    "${",
    "}",
    ":-",
    "$",
    "\u{feff}",
    "é",
    "process.env.",
    "import.meta.env.",
    "os.environ[\"",
    "\"]",
    "env: {",
    "},",
    "NEXT_PUBLIC_X: 'v'",
    ",",
    "/*",
    "*/",
    "//",
    "services:\n  a:\n    environment:\n      ",
    "- A=",
    "A: ",
    "$$",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn env_code_and_compose_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in soup(ENV_FRAGMENTS, 40)) {
        check_env(&lossy(&bytes));
        check_env(&text);
    }

    #[test]
    fn sql_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = lossy(&bytes);
        check_sql(&text);
        check_lexer(&text);
    }

    #[test]
    fn sql_soup_keeps_spans_and_partition(text in soup(SQL_FRAGMENTS, 40)) {
        check_sql(&text);
        check_lexer(&text);
    }

    #[test]
    fn dockerfile_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), text in soup(DOCKER_FRAGMENTS, 40)) {
        check_docker(&lossy(&bytes));
        check_docker(&text);
    }

    #[test]
    fn yaml_and_manifests_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in soup(YAML_FRAGMENTS, 40)) {
        check_yaml(&lossy(&bytes));
        check_yaml(&text);
    }

    #[test]
    fn policy_loader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), text in soup(POLICY_FRAGMENTS, 12)) {
        check_policy(&lossy(&bytes));
        check_policy(&text);
    }

    #[test]
    fn suppression_scanner_never_panics(text in soup(SUPPRESS_FRAGMENTS, 30)) {
        check_suppress(&text);
    }

    #[test]
    fn whole_pipeline_never_panics(sql in soup(SQL_FRAGMENTS, 30), docker in soup(DOCKER_FRAGMENTS, 30)) {
        check_engine(&sql);
        check_engine(&docker);
    }
}
