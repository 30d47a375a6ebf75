use crate::document::Project;
use crate::document::yaml::Node;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container does not drop all Linux capabilities (`capabilities: {drop: [ALL]}`).
    ///
    /// ## Why it matters
    /// Container runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`, `NET_RAW`,
    /// `SETUID`, …) that most processes never need and attackers love: `NET_RAW` alone allows
    /// spoofing traffic inside the cluster network. Drop them all, then add back the few the process
    /// needs. Adding dangerous capabilities is reported by `k8s/no-dangerous-capabilities`.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: app:1.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: [NET_RAW]
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
    ///       image: app:1.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Pod Security Standards, restricted profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - capabilities(7): <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct DropCapabilities {}
    id: "k8s/drop-capabilities",
    level: Warning,
    summary: "Container keeps the default Linux capabilities",
}

const HELP: &str = "add `capabilities: {drop: [ALL]}` to the container's securityContext, then add back only what it needs";

fn drops_all(drop: &Node) -> bool {
    drop.as_seq().is_some_and(|items| {
        items.iter().any(|item| {
            item.as_str()
                .is_some_and(|cap| cap.eq_ignore_ascii_case("ALL"))
        })
    })
}

impl Rule for DropCapabilities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let subject = workload.subject(None);
            match workload.container.security.capabilities {
                Some(caps) => match caps.value().entry("drop") {
                    Some(drop) if drops_all(&drop.value) => {}
                    Some(drop) => {
                        let message = format!("{subject} drops some capabilities but not `ALL`");
                        out.report(drop.key.span.cover(drop.value.span), message, HELP);
                    }
                    None if manifest.partial => {}
                    None => {
                        let message = format!("{subject} does not drop `ALL` capabilities");
                        out.report(caps.entry.key.span, message, HELP);
                    }
                },
                None if manifest.partial => {}
                None => {
                    let message = format!("{subject} does not drop `ALL` capabilities");
                    out.report(workload.container.anchor, message, HELP);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn partial_drop_missing_drop_and_missing_capabilities() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n    - name: b\n      securityContext:\n        capabilities: {add: [CHOWN]}\n    - name: c\n    - name: d\n      securityContext: {capabilities: {drop: [all]}}\n";
        assert_eq!(
            run(&DropCapabilities::default(), text),
            vec![
                "9:11 container `a` of Pod `p` drops some capabilities but not `ALL`",
                "12:9 container `b` of Pod `p` does not drop `ALL` capabilities",
                "13:7 container `c` of Pod `p` does not drop `ALL` capabilities"
            ]
        );
    }
}
