use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container has no effective seccomp profile of type `RuntimeDefault` or `Localhost`.
    ///
    /// ## Why it matters
    /// Without a seccomp profile a container can make every system call the kernel offers,
    /// including the rarely used ones behind most kernel privilege escalations. `RuntimeDefault`
    /// blocks them at no cost for ordinary workloads. The profile can be set for the whole pod and
    /// overridden per container; `Unconfined` turns it off.
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
    ///         seccompProfile: {type: Unconfined}
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   securityContext:
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///     - name: app
    ///       image: app:1.0
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Restrict a container's syscalls with seccomp: <https://kubernetes.io/docs/tutorials/security/seccomp/>
    /// - Pod Security Standards, restricted profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    pub struct RequireSeccomp {}
    id: "k8s/require-seccomp",
    level: Warning,
    summary: "Container runs without a seccomp profile",
}

const HELP: &str = "set `seccompProfile: {type: RuntimeDefault}` in the pod's (or the container's) securityContext";

impl Rule for RequireSeccomp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let Some(profile) = workload.container.security.seccomp_profile else {
                if !manifest.partial {
                    let message = format!(
                        "{} has no seccomp profile (neither its nor the pod's securityContext sets one)",
                        workload.subject(None)
                    );
                    out.report(workload.container.anchor, message, HELP);
                }
                continue;
            };
            let subject = workload.subject(Some(&profile));
            match profile.value().entry("type") {
                Some(kind)
                    if matches!(kind.value.as_str(), Some("RuntimeDefault" | "Localhost")) => {}
                Some(kind) => {
                    let shown = kind.value.as_str().unwrap_or("?");
                    let message = format!("{subject} uses seccomp profile type `{shown}`");
                    out.report(kind.key.span.cover(kind.value.span), message, HELP);
                }
                None => {
                    let message = format!("{subject} has a seccompProfile without a `type`");
                    out.report(profile.entry.key.span, message, HELP);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    fn pod(pod_sc: &str, container_sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {{{pod_sc}}}\n  containers:\n    - name: a\n      securityContext: {{{container_sc}}}\n    - name: b\n"
        )
    }

    #[test]
    fn pod_profile_applies_to_all_and_container_can_weaken_it() {
        assert!(
            run(
                &RequireSeccomp::default(),
                &pod("seccompProfile: {type: RuntimeDefault}", "")
            )
            .is_empty()
        );
        assert_eq!(
            run(
                &RequireSeccomp::default(),
                &pod(
                    "seccompProfile: {type: RuntimeDefault}",
                    "seccompProfile: {type: Unconfined}"
                )
            ),
            vec!["8:42 container `a` of Pod `p` uses seccomp profile type `Unconfined`"]
        );
    }

    #[test]
    fn container_profile_does_not_cover_siblings() {
        assert_eq!(
            run(
                &RequireSeccomp::default(),
                &pod(
                    "",
                    "seccompProfile: {type: Localhost, localhostProfile: p.json}"
                )
            ),
            vec![
                "9:7 container `b` of Pod `p` has no seccomp profile (neither its nor the pod's securityContext sets one)"
            ]
        );
    }

    #[test]
    fn pod_level_unconfined_is_one_finding() {
        assert_eq!(
            run(
                &RequireSeccomp::default(),
                &pod("seccompProfile: {type: Unconfined}", "")
            ),
            vec!["5:38 Pod `p` uses seccomp profile type `Unconfined`"]
        );
    }
}
