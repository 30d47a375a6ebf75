use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container runs privileged (`privileged: true`).
    ///
    /// ## Why it matters
    /// A privileged container gets every capability and every host device, and bypasses seccomp
    /// and AppArmor: it is root on the node in all but name. It is forbidden by the baseline Pod
    /// Security Standard.
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
    ///         privileged: true
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
    ///         privileged: false
    ///         capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Pod Security Standards, baseline profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    pub struct NoPrivileged {}
    id: "k8s/no-privileged",
    level: Error,
    summary: "Privileged container",
}

impl Rule for NoPrivileged {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let Some(setting) = workload.container.security.privileged else {
                continue;
            };
            if setting.value().as_bool() == Some(true) {
                let message = format!(
                    "{} runs privileged: full access to the node",
                    workload.subject(Some(&setting))
                );
                out.report(
                    setting.span(),
                    message,
                    "remove `privileged: true` and add only the capabilities the process needs",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn privileged_is_reported_at_the_key() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        privileged: yes\n    - name: b\n      securityContext: {privileged: false}\n";
        assert_eq!(
            run(&NoPrivileged::default(), text),
            vec!["8:9 container `a` of Pod `p` runs privileged: full access to the node"]
        );
    }

    #[test]
    fn unset_is_fine() {
        assert!(
            run(
                &NoPrivileged::default(),
                "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a}]\n"
            )
            .is_empty()
        );
    }
}
