use crate::declare_rule;
use crate::document::Project;
use crate::document::dockerfile::{Body, Keyword};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// `ADD` of a remote URL must verify what it downloads with `--checksum`.
    ///
    /// ## Why it matters
    /// `ADD https://…` fetches at build time with no integrity check: whoever controls the server
    /// or the network path controls a file in your image, and the build is not reproducible. Pin
    /// the content with `ADD --checksum=sha256:… https://…`, or download with `curl` in a `RUN` and
    /// verify the hash there.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD https://example.com/tool.tar.gz /opt/
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Dockerfile reference, `ADD --checksum`.
    /// - Hadolint DL3020.
    pub struct NoAddRemote {}
    id: "docker/no-add-remote",
    level: Warning,
    summary: "ADD of a remote URL needs --checksum",
}

impl Rule for NoAddRemote {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        for instr in &df.instructions {
            let (Keyword::Add, Body::Copy { sources, .. }) = (instr.keyword, &instr.body) else {
                continue;
            };
            if instr.flag("checksum").is_some() {
                continue;
            }
            for src in sources {
                let raw = src.raw.trim_matches(|c| c == '"' || c == '\'');
                let lower = raw.to_ascii_lowercase();
                if lower.starts_with("http://")
                    || lower.starts_with("https://")
                    || lower.starts_with("ftp://")
                {
                    sink.push(
                        Diagnostic::new(file, src.span, format!("`ADD {raw}` downloads without verifying a checksum"))
                            .help("add `--checksum=sha256:<hash>`, or download with curl in RUN and verify the hash"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-add-remote";

    #[test]
    fn remote_add_without_checksum_is_reported() {
        assert_eq!(
            check(
                RULE,
                "FROM alpine\nadd --chown=app https://example.com/a.tgz /opt/\n"
            ),
            vec!["2:17 `ADD https://example.com/a.tgz` downloads without verifying a checksum"]
        );
    }

    #[test]
    fn checksums_local_files_and_copy_pass() {
        let text = "FROM alpine\nADD --checksum=sha256:00 https://e.com/a /a\nADD app.tgz /opt/\nCOPY https://x /y\n";
        assert!(check(RULE, text).is_empty());
    }
}
