use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container image is not pinned: `:latest` or no tag (optionally: no digest).
    ///
    /// ## Why it matters
    /// `:latest` (which is what no tag means) changes under you: two nodes can run different code
    /// for the same manifest, a rollback does not roll anything back, and a compromised registry
    /// push reaches production on the next restart. A version tag is the minimum; a digest
    /// (`@sha256:…`) is immutable.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:latest
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27.2
    /// ```
    ///
    /// ## Options
    /// - `require-digest` (bool, default `false`): also require an `@sha256:` digest.
    ///
    /// ## References
    /// - Container images, image names: <https://kubernetes.io/docs/concepts/containers/images/#image-names>
    pub struct PinImage {
        /// Require every image to be pinned by digest.
        pub require_digest: bool,
    }
    id: "k8s/pin-image",
    level: Warning,
    summary: "Container image not pinned to a version",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives no Default for rules with options"
)]
impl Default for PinImage {
    fn default() -> Self {
        Self {
            require_digest: false,
        }
    }
}

/// The tag and digest of an image reference (`registry:5000/team/app:1.2@sha256:…`).
fn tag_and_digest(image: &str) -> (Option<&str>, Option<&str>) {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    // a `:` before the last `/` is a registry port, not a tag
    let last_segment = name.rsplit('/').next().unwrap_or(name);
    (last_segment.split_once(':').map(|(_, tag)| tag), digest)
}

impl Rule for PinImage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let Some(image) = workload.container.node.get("image") else {
                continue;
            };
            let Some(reference) = image.as_str().map(str::trim).filter(|r| !r.is_empty()) else {
                continue;
            };
            let subject = workload.subject(None);
            let message = match tag_and_digest(reference) {
                (_, Some(_)) => continue,
                (Some("latest"), None) => {
                    format!("{subject} uses `{reference}`: `latest` is not a version")
                }
                (None, None) => {
                    format!("{subject} uses `{reference}` without a tag, which means `latest`")
                }
                (Some(_), None) if self.require_digest => {
                    format!("{subject} uses `{reference}` without a digest")
                }
                (Some(_), None) => continue,
            };
            let help = if self.require_digest {
                "pin the image by digest: `name:tag@sha256:…`"
            } else {
                "pin the image to a version tag, or better a digest (`@sha256:…`)"
            };
            out.report(image.span, message, help);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    const TEXT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx\n    - name: b\n      image: registry:5000/team/app:latest\n    - name: c\n      image: registry:5000/team/app:1.2\n    - name: d\n      image: app@sha256:0123abcd\n";

    #[test]
    fn latest_and_untagged_are_reported_at_the_value() {
        assert_eq!(
            run(&PinImage::default(), TEXT),
            vec![
                "7:14 container `a` of Pod `p` uses `nginx` without a tag, which means `latest`",
                "9:14 container `b` of Pod `p` uses `registry:5000/team/app:latest`: `latest` is not a version"
            ]
        );
    }

    #[test]
    fn digest_can_be_required() {
        let found = run(
            &PinImage {
                require_digest: true,
            },
            TEXT,
        );
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[2],
            "11:14 container `c` of Pod `p` uses `registry:5000/team/app:1.2` without a digest"
        );
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        assert_eq!(tag_and_digest("localhost:5000/app"), (None, None));
        assert_eq!(
            tag_and_digest("app:1@sha256:ab"),
            (Some("1"), Some("sha256:ab"))
        );
    }
}
