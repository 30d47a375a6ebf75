use std::sync::LazyLock;

use regex::Regex;

use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::{dockerfile, run_scripts};
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// `RUN` must not use `sudo`.
    ///
    /// ## Why it matters
    /// Build steps already run as the current `USER`; `sudo` in an image means a non-root user was
    /// given a way back to root, which also works at run time for an attacker in the container.
    /// Its TTY and signal handling are unpredictable in builds. Switch with `USER root` for the
    /// step that needs it and back with `USER app` afterwards (or use `gosu`/`su-exec` in an
    /// entrypoint that drops privileges). Installing the `sudo` package is not reported; calling it is.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// USER app
    /// RUN sudo apt-get update
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update
    /// USER app
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Hadolint DL3004.
    /// - Docker docs, "Building best practices: USER".
    pub struct NoSudo {}
    id: "docker/no-sudo",
    level: Warning,
    summary: "RUN must not use sudo",
}

/// `sudo` in command position: at the start, or after a separator or a shell keyword.
static SUDO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[;&|(`]|\$\(|\b(?:then|do|else|exec)\b)\s*(sudo)(?:\s|$)")
        .unwrap_or_else(|_| unreachable!())
});

impl Rule for NoSudo {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, source)) = dockerfile(project, file) else {
            return;
        };
        for instr in &df.instructions {
            for script in run_scripts(instr, source) {
                for line_start in line_starts(&script.text) {
                    let line = &script.text[line_start..];
                    let line = &line[..line.find('\n').unwrap_or(line.len())];
                    for caps in SUDO.captures_iter(line) {
                        let Some(sudo) = caps.get(1) else { continue };
                        sink.push(
                            Diagnostic::new(file, script.span(line_start + sudo.start()..line_start + sudo.end()), "`sudo` in a RUN instruction")
                                .help("run the step with `USER root` and switch back with `USER <non-root>` afterwards"),
                        );
                    }
                }
            }
        }
    }
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(move |&i| i < text.len())
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-sudo";

    #[test]
    fn sudo_in_command_position_is_reported() {
        let text = "FROM debian\nUSER app\nRUN sudo apt-get update && sudo apt-get install -y curl\nRUN <<EOF\n  sudo rm -rf /tmp/x\nEOF\n";
        assert_eq!(
            check(RULE, text),
            vec![
                "3:5 `sudo` in a RUN instruction",
                "3:28 `sudo` in a RUN instruction",
                "5:3 `sudo` in a RUN instruction"
            ]
        );
    }

    #[test]
    fn installing_sudo_or_mentioning_it_passes() {
        let text = "FROM debian\nRUN apt-get install -y sudo && echo sudoers\nCMD sudo app\n";
        assert!(check(RULE, text).is_empty());
    }
}
