//! `tollgate completions <shell>` and `tollgate man`, generated from the clap definition.

mod common;

use common::{code, run, stdout};

#[test]
fn completions_cover_every_shell_and_the_new_options() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        let script = stdout(&out);
        for word in [
            "baseline",
            "changed-since",
            "staged",
            "no-baseline",
            "completions",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = stdout(&run(&["completions", "bash"]));
    assert!(bash.contains("complete -F _tollgate"), "{bash}");
    // Value enums complete too.
    assert!(
        bash.contains("human json sarif github markdown junit"),
        "{bash}"
    );
    assert_eq!(code(&run(&["completions", "tcsh"])), 2);
}

#[test]
fn man_page_documents_commands_and_options() {
    let out = run(&["man"]);
    assert_eq!(code(&out), 0);
    let page = stdout(&out);
    assert!(page.contains(".TH tollgate 1"), "{page}");
    for word in ["check", "baseline", "explain", "completions", "Exit codes"] {
        assert!(page.contains(word), "man page lacks {word}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    let check = std::fs::read_to_string(dir.path().join("tollgate-check.1")).unwrap();
    assert!(check.contains("\\-\\-changed\\-since"), "{check}");
    assert!(dir.path().join("tollgate.1").is_file());
    assert!(dir.path().join("tollgate-baseline.1").is_file());
}
