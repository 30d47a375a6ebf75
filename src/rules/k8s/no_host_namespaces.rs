use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter, describe_pod};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A pod shares a host namespace (`hostNetwork`, `hostPID` or `hostIPC` set to `true`).
    ///
    /// ## Why it matters
    /// With `hostNetwork` the pod sees every interface of the node and can bind its ports and sniff
    /// traffic; with `hostPID` it can see and signal (or ptrace) every process of the node; with
    /// `hostIPC` it shares the node's shared memory. Each breaks the isolation that makes a
    /// container a container, and the baseline Pod Security Standard forbids them.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug}
    /// spec:
    ///   hostPID: true
    ///   containers: [{name: app, image: app:1.0}]
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug}
    /// spec:
    ///   containers: [{name: app, image: app:1.0}]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Pod Security Standards, baseline profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    pub struct NoHostNamespaces {}
    id: "k8s/no-host-namespaces",
    level: Error,
    summary: "Pod shares a host namespace",
}

const NAMESPACES: &[(&str, &str)] = &[
    ("hostNetwork", "network"),
    ("hostPID", "process (PID)"),
    ("hostIPC", "IPC"),
];

impl Rule for NoHostNamespaces {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for (object, pod) in manifest.workloads() {
            for (field, what) in NAMESPACES {
                let Some(entry) = pod.node.entry(field) else {
                    continue;
                };
                if entry.value.as_bool() == Some(true) {
                    let message = format!(
                        "{} shares the node's {what} namespace (`{field}: true`)",
                        describe_pod(object)
                    );
                    out.report(
                        entry.key.span.cover(entry.value.span),
                        message,
                        format!("remove `{field}: true`"),
                    );
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
    fn each_true_namespace_is_reported() {
        let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      hostPID: true\n      hostIPC: false\n      containers: [{name: a}]\n";
        assert_eq!(
            run(&NoHostNamespaces::default(), text),
            vec![
                "7:7 the pod template of DaemonSet `agent` shares the node's network namespace (`hostNetwork: true`)",
                "8:7 the pod template of DaemonSet `agent` shares the node's process (PID) namespace (`hostPID: true`)"
            ]
        );
    }

    #[test]
    fn absent_is_fine() {
        assert!(
            run(
                &NoHostNamespaces::default(),
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a}]\n"
            )
            .is_empty()
        );
    }
}
