//! Property test (issue 15, probe 8): whatever a pull request names its files and SQL objects, no
//! output format gets an unescaped line break from them, and no line of any format starts a new
//! `::` workflow command that tollgate did not write.

use proptest::prelude::*;
use tollgate::engine::{self, Options};
use tollgate::policy::Policy;
use tollgate::report::{self, Format, RenderOptions};

/// Characters that break out of lines, tables, code spans and workflow commands, plus filler.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\n",
        "\r",
        "\r\n",
        "::",
        "::add-mask::",
        "|",
        "`",
        "<details>",
        "@someone",
        "\u{1b}[31m",
        "%",
        ",",
        "\t",
        "\u{2028}",
        "a",
        "b",
        " ",
        "-",
    ]);
    prop::collection::vec(pieces, 1..8).prop_map(|p| p.concat())
}

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Markdown,
    Format::Junit,
];

fn check_outputs(name: &str, ident: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let file = format!("0001_{name}.sql");
    let quoted = ident.replace('"', "\"\"");
    std::fs::write(
        migrations.join(&file),
        format!("create table \"{quoted}\" (id int);\n"),
    )
    .unwrap();
    let report = engine::run(
        &Policy::recommended(),
        &Options {
            paths: vec![dir.path().to_path_buf()],
            threads: 1,
        },
    );
    prop_assert!(
        !report.findings.is_empty(),
        "the table without RLS is reported"
    );
    for format in FORMATS {
        let options = RenderOptions {
            color: false,
            width: 100,
            quiet: false,
        };
        let out = report::render(&report, format, options);
        for line in out.lines() {
            let ours = format == Format::Github
                && ["::error ", "::warning ", "::notice "]
                    .iter()
                    .any(|p| line.starts_with(p));
            prop_assert!(
                ours || !line.trim_start().starts_with("::"),
                "{format:?} line starts a workflow command: {line:?}"
            );
        }
        // A name with a line break never appears verbatim (in its context, so that the needle
        // is not just any line break): every format escapes it.
        let needles = [file.clone(), format!("public.{ident}")];
        for needle in needles.iter().filter(|n| n.contains(['\n', '\r'])) {
            prop_assert!(
                !out.contains(needle.as_str()),
                "{format:?} printed {needle:?} with its raw line break"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_names_never_break_out_of_any_format(name in hostile(), ident in hostile()) {
        check_outputs(&name, &ident)?;
    }
}

#[test]
fn the_known_breakouts_stay_escaped() {
    check_outputs("x\n::add-mask::secret", "t\n::error::forged").unwrap();
    check_outputs("a|b`c<details>@someone", "`|\n|").unwrap();
}
