use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A tagged base image can be pinned further, by digest.
    ///
    /// ## Why it matters
    /// Tags move: `python:3.12-slim` is re-pushed for every patch release and security fix, and a
    /// registry compromise can re-point it. A digest (`python:3.12-slim@sha256:…`) names exactly
    /// one image, so builds are reproducible and reviewable; a bot such as Renovate keeps digests
    /// fresh. This is a note by default; set it to `error` to require digests. Untagged and
    /// `latest` images are `docker/pin-base-image`'s findings, not this rule's.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:2be8daddbb82756f7d1f2c7ece706aadcb284bf6ab6d769ea695cc3ed6016743
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Docker docs, "Image digests".
    /// - SLSA, "Build: pinned dependencies".
    pub struct PinBaseImageDigest {}
    id: "docker/pin-base-image-digest",
    level: Note,
    summary: "Tagged base images can be pinned by digest",
}

impl Rule for PinBaseImageDigest {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        for stage in &df.stages {
            let image = &stage.image;
            let Some(tag) = image.tag.as_deref() else {
                continue;
            };
            if stage.parent.is_some()
                || image.digest.is_some()
                || !stage.image_unresolved.is_empty()
                || tag.eq_ignore_ascii_case("latest")
            {
                continue;
            }
            sink.push(
                Diagnostic::new(file, stage.image_span, format!("base image `{}` is pinned by tag only", image.name_and_tag()))
                    .help(format!("append the digest: `{}@sha256:<digest>` (`docker buildx imagetools inspect {}` shows it)", image.name_and_tag(), image.name_and_tag())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/pin-base-image-digest";

    #[test]
    fn tag_only_images_get_a_note() {
        assert_eq!(
            check(RULE, "FROM python:3.12-slim AS b\nFROM b\n"),
            vec!["1:6 base image `python:3.12-slim` is pinned by tag only"]
        );
    }

    #[test]
    fn digests_latest_and_untagged_are_not_this_rules_business() {
        assert!(
            check(
                RULE,
                "FROM python:3.12@sha256:abc\nFROM node\nFROM node:latest\nFROM scratch\n"
            )
            .is_empty()
        );
    }
}
