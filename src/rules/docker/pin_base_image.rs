use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// Base images must name a version: no `:latest` and no missing tag.
    ///
    /// ## Why it matters
    /// `FROM node` and `FROM node:latest` build on whatever was pushed last: a rebuild of an
    /// unchanged Dockerfile can change the runtime, the user, the libc, and pull in a compromised
    /// image. Stages built `FROM` an earlier stage and `scratch` are exempt; a reference with a
    /// digest is pinned whatever its tag. Image names are checked after substituting `ARG`
    /// defaults, so `ARG BASE=node:latest` / `FROM $BASE` is caught. `docker/pin-base-image-digest`
    /// goes one step further and asks for digests.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM node:latest
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM node:20.11-bookworm-slim
    /// ```
    ///
    /// ## Options
    /// - `allowed-images` (list of image names, default `["scratch"]`): images that may go untagged.
    ///
    /// ## References
    /// - Docker docs, "Building best practices: pin base image versions".
    /// - Hadolint DL3006, DL3007.
    pub struct PinBaseImage {
        /// Image names that may be used without a tag.
        allowed_images: Vec<String>,
    }
    id: "docker/pin-base-image",
    level: Warning,
    summary: "Base images must be pinned to a version, not latest or untagged",
}

impl Default for PinBaseImage {
    fn default() -> Self {
        Self {
            allowed_images: vec!["scratch".into()],
        }
    }
}

impl Rule for PinBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        for stage in &df.stages {
            let image = &stage.image;
            if stage.parent.is_some()
                || image.is_scratch()
                || image.digest.is_some()
                || !stage.image_unresolved.is_empty()
                || image.name.is_empty()
                || self.allowed_images.iter().any(|a| a == &image.name)
            {
                continue;
            }
            let shown = if stage.image_raw == image.name_and_tag() {
                format!("`{}`", stage.image_raw)
            } else {
                format!("`{}` (`{}`)", stage.image_raw, image.name_and_tag())
            };
            let message = match image.tag.as_deref() {
                None => format!("base image {shown} has no tag, so it means `latest`"),
                Some(tag) if tag.eq_ignore_ascii_case("latest") => {
                    format!("base image {shown} uses the `latest` tag")
                }
                Some(_) => continue,
            };
            sink.push(
                Diagnostic::new(file, stage.image_span, message).help(format!(
                    "pin a version, e.g. `{}:<version>`, or a digest `{}@sha256:…`",
                    image.name, image.name
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/pin-base-image";

    #[test]
    fn latest_and_untagged_images_are_reported() {
        assert_eq!(
            check(
                RULE,
                "FROM node AS build\nFROM --platform=linux/amd64 python:latest\n"
            ),
            vec![
                "1:6 base image `node` has no tag, so it means `latest`",
                "2:29 base image `python:latest` uses the `latest` tag"
            ]
        );
        assert_eq!(
            check(RULE, "ARG BASE=node\nFROM ${BASE}\n"),
            vec!["2:6 base image `${BASE}` (`node`) has no tag, so it means `latest`"]
        );
    }

    #[test]
    fn pinned_scratch_stages_and_unknown_pass() {
        let text = "FROM node:20 AS a\nFROM a\nFROM scratch\nFROM alpine@sha256:abc\nFROM registry:5000/app:1\nARG X\n";
        assert!(check(RULE, text).is_empty());
        assert!(check(RULE, "ARG IMG\nFROM $IMG\n").is_empty());
    }
}
