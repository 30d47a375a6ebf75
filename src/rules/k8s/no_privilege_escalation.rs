use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container does not set `allowPrivilegeEscalation: false`.
    ///
    /// ## Why it matters
    /// Unless `allowPrivilegeEscalation` is `false`, a process can gain more privileges than its
    /// parent (setuid binaries, file capabilities): a non-root user can become root inside the
    /// container. The field defaults to allowing it, so it must be set explicitly; the restricted
    /// Pod Security Standard requires it.
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
    ///         allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Pod Security Standards, restricted profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    pub struct NoPrivilegeEscalation {}
    id: "k8s/no-privilege-escalation",
    level: Warning,
    summary: "Container allows privilege escalation",
}

const HELP: &str = "set `allowPrivilegeEscalation: false` in the container's securityContext";

impl Rule for NoPrivilegeEscalation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            match workload.container.security.allow_privilege_escalation {
                Some(setting) if setting.value().as_bool() == Some(false) => {}
                Some(setting) => {
                    let message = format!(
                        "{} allows privilege escalation",
                        workload.subject(Some(&setting))
                    );
                    out.report(setting.span(), message, HELP);
                }
                None if manifest.partial => {}
                None => {
                    let message = format!(
                        "{} does not set `allowPrivilegeEscalation: false`",
                        workload.subject(None)
                    );
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
    fn unset_and_true_are_reported() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n    - name: b\n      securityContext:\n        allowPrivilegeEscalation: true\n    - name: c\n      securityContext: {allowPrivilegeEscalation: false}\n";
        assert_eq!(
            run(&NoPrivilegeEscalation::default(), text),
            vec![
                "6:7 container `a` of Pod `p` does not set `allowPrivilegeEscalation: false`",
                "9:9 container `b` of Pod `p` allows privilege escalation"
            ]
        );
    }

    #[test]
    fn pod_level_field_does_not_exist() {
        // allowPrivilegeEscalation is container-only: a pod-level one is ignored by Kubernetes
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {allowPrivilegeEscalation: false}\n  containers: [{name: a}]\n";
        assert_eq!(run(&NoPrivilegeEscalation::default(), text).len(), 1);
    }
}
