use std::sync::LazyLock;

use regex::Regex;

use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::{dockerfile, run_scripts};
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// `RUN` must not pipe a download straight into a shell (`curl … | sh`).
    ///
    /// ## Why it matters
    /// The script runs as it streams in, unreviewed and unverified: a compromised or spoofed
    /// server, or a truncated download, executes arbitrary code in your build (often as root, with
    /// build secrets mounted). Download to a file, verify its checksum or signature, then run it.
    /// Shell-form `RUN`, exec-form `RUN ["sh", "-c", …]` and `RUN <<EOF` heredoc scripts are checked,
    /// including commands split over continuation lines.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSL https://example.com/install.sh | bash
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
    ///  && echo "3f5d…  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Hadolint DL4006 (pipefail) and the "curl | bash" discussions it cites.
    /// - OpenSSF Scorecard, "Pinned-Dependencies" (downloadThenRun).
    pub struct NoCurlPipeShell {}
    id: "docker/no-curl-pipe-shell",
    level: Warning,
    summary: "RUN must not pipe a download into a shell",
}

static PIPE_TO_SHELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?(?:/\S*/)?(sh|bash|zsh|dash|ksh|ash|python3?|perl|ruby|node)\b")
        .unwrap_or_else(|_| unreachable!())
});

impl Rule for NoCurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, source)) = dockerfile(project, file) else {
            return;
        };
        for instr in &df.instructions {
            for script in run_scripts(instr, source) {
                for caps in PIPE_TO_SHELL.captures_iter(&script.text) {
                    let (Some(all), Some(tool), Some(shell)) =
                        (caps.get(0), caps.get(1), caps.get(2))
                    else {
                        continue;
                    };
                    sink.push(
                        Diagnostic::new(
                            file,
                            script.span(all.range()),
                            format!(
                                "`{}` output is piped straight into `{}`",
                                tool.as_str(),
                                shell.as_str()
                            ),
                        )
                        .help("download to a file, verify its checksum or signature, then run it"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-curl-pipe-shell";

    #[test]
    fn pipes_into_shells_are_reported_where_they_start() {
        let text = "FROM debian\nRUN apt-get update && curl -fsSL https://x.sh | bash\nRUN wget -qO- https://y \\\n  | sudo -E sh -\nRUN <<EOF\nset -e\ncurl https://z | /bin/sh\nEOF\nRUN [\"sh\", \"-c\", \"curl a | sh\"]\n";
        assert_eq!(
            check(RULE, text),
            vec![
                "2:23 `curl` output is piped straight into `bash`",
                "3:5 `wget` output is piped straight into `sh`",
                "7:1 `curl` output is piped straight into `sh`",
                "9:5 `curl` output is piped straight into `sh`"
            ]
        );
    }

    #[test]
    fn downloads_to_files_and_checksums_pass() {
        let text = "FROM debian\nRUN curl -o /tmp/i.sh https://x && sha256sum -c sums && sh /tmp/i.sh\nRUN curl https://x | sha256sum\nRUN curl https://x | tar xz\n";
        assert!(check(RULE, text).is_empty());
    }
}
