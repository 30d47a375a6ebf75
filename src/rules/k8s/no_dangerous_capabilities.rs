use crate::document::Project;
use crate::document::yaml::Node;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container adds a Linux capability outside the allowed set (`SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`, …).
    ///
    /// ## Why it matters
    /// Capabilities such as `SYS_ADMIN` (nearly root), `NET_ADMIN`, `NET_RAW`, `SYS_PTRACE` or
    /// `SYS_MODULE` give a container powers over the node and its network that make escapes and
    /// lateral movement easy. The baseline Pod Security Standard allows adding only a small set of
    /// harmless capabilities; this rule uses that set by default.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: vpn}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: vpn:1.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_ADMIN]
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
    ///       image: web:1.0
    ///       securityContext:
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## Options
    /// - `allowed` (list of capability names, `CAP_` prefix optional): capabilities that may be
    ///   added. Default: the baseline Pod Security Standard's list (`AUDIT_WRITE`, `CHOWN`,
    ///   `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`,
    ///   `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`).
    ///
    /// ## References
    /// - Pod Security Standards, baseline profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - capabilities(7): <https://man7.org/linux/man-pages/man7/capabilities.7.html>
    pub struct NoDangerousCapabilities {
        /// Capabilities that may be added.
        pub allowed: Vec<String>,
    }
    id: "k8s/no-dangerous-capabilities",
    level: Error,
    summary: "Container adds a dangerous Linux capability",
}

const BASELINE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

impl Default for NoDangerousCapabilities {
    fn default() -> Self {
        Self {
            allowed: BASELINE.iter().map(|cap| (*cap).to_string()).collect(),
        }
    }
}

fn normalize(cap: &str) -> String {
    let upper = cap.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or(upper.clone(), str::to_string)
}

impl Rule for NoDangerousCapabilities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let allowed: Vec<String> = self.allowed.iter().map(|cap| normalize(cap)).collect();
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let Some(caps) = workload.container.security.capabilities else {
                continue;
            };
            let Some(added) = caps.value().get("add").and_then(Node::as_seq) else {
                continue;
            };
            for item in added {
                let Some(cap) = item.as_str() else { continue };
                if allowed.contains(&normalize(cap)) {
                    continue;
                }
                let message = format!(
                    "{} adds the `{}` capability",
                    workload.subject(None),
                    normalize(cap)
                );
                let help = "remove it from `capabilities.add`; if the workload truly needs it, isolate it on dedicated nodes and waive this finding with a reason";
                out.report(item.span, message, help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    const TEXT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          add:\n            - NET_BIND_SERVICE\n            - CAP_SYS_ADMIN\n            - NET_RAW\n";

    #[test]
    fn adds_outside_baseline_are_errors() {
        assert_eq!(
            run(&NoDangerousCapabilities::default(), TEXT),
            vec![
                "11:15 container `a` of Pod `p` adds the `SYS_ADMIN` capability",
                "12:15 container `a` of Pod `p` adds the `NET_RAW` capability"
            ]
        );
    }

    #[test]
    fn allowed_is_configurable() {
        let rule = NoDangerousCapabilities {
            allowed: vec![
                "net_bind_service".into(),
                "SYS_ADMIN".into(),
                "NET_RAW".into(),
            ],
        };
        assert!(run(&rule, TEXT).is_empty());
    }
}
