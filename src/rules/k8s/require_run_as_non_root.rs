use crate::document::Project;
use crate::document::k8s::Origin;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container may run as root: no effective `runAsNonRoot: true` nor a non-zero `runAsUser`.
    ///
    /// ## Why it matters
    /// A process running as UID 0 in a container is root on the node's kernel: one container escape
    /// away from the host. Kubernetes only enforces non-root when the effective security context
    /// (container fields override pod fields) says `runAsNonRoot: true` or sets a non-zero
    /// `runAsUser`. `runAsUser: 0` is root even next to `runAsNonRoot: true`, and that pair fails at
    /// runtime: the kubelet refuses to start the container (`CreateContainerConfigError`).
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 65532
    ///   containers:
    ///     - name: app
    ///       image: registry.example.com/app:1.4.2
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Pod Security Standards, restricted profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    pub struct RequireRunAsNonRoot {}
    id: "k8s/require-run-as-non-root",
    level: Error,
    summary: "Container may run as root",
}

const HELP: &str =
    "set `runAsNonRoot: true` and a non-zero `runAsUser` (e.g. 65532) in the securityContext";

impl Rule for RequireRunAsNonRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            let sc = &workload.container.security;
            let non_root = sc
                .run_as_non_root
                .filter(|s| s.value().as_bool() == Some(true));
            if let Some(user) = sc.run_as_user.filter(|s| s.value().as_i64() == Some(0)) {
                let mut message = format!(
                    "{} runs as root (`runAsUser: 0`)",
                    workload.subject(Some(&user))
                );
                if let Some(flag) = non_root {
                    let place = if flag.origin == Origin::Pod {
                        "the pod's"
                    } else {
                        "its"
                    };
                    message.push_str(&format!(
                        "; with {place} `runAsNonRoot: true` the kubelet refuses to start {} (CreateContainerConfigError)",
                        workload.container.describe()
                    ));
                }
                out.report(
                    user.entry.key.span.cover(user.entry.value.span),
                    message,
                    HELP,
                );
                continue;
            }
            if non_root.is_some()
                || sc
                    .run_as_user
                    .is_some_and(|s| s.value().as_i64().is_some_and(|uid| uid > 0))
            {
                continue;
            }
            if let Some(flag) = sc
                .run_as_non_root
                .filter(|s| s.value().as_bool() == Some(false))
            {
                let message = format!(
                    "{} sets `runAsNonRoot: false` and no non-zero `runAsUser`: it may run as root",
                    workload.subject(Some(&flag))
                );
                out.report(flag.span(), message, HELP);
            } else if !manifest.partial {
                let message = format!(
                    "{} may run as root: no `runAsNonRoot: true` or non-zero `runAsUser` in its or the pod's securityContext",
                    workload.subject(None)
                );
                out.report(workload.container.anchor, message, HELP);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::{run, run_files};

    fn pod(pod_sc: &str, container_sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: {{{pod_sc}}}\n  containers:\n    - name: app\n      image: app:1\n      securityContext: {{{container_sc}}}\n    - name: side\n      image: side:1\n"
        )
    }

    #[test]
    fn missing_everywhere_points_at_each_container_name() {
        let found = run(&RequireRunAsNonRoot::default(), &pod("", ""));
        assert_eq!(found.len(), 2);
        assert!(
            found[0].starts_with("8:7 container `app` of Pod `p` may run as root"),
            "{found:?}"
        );
        assert!(found[1].starts_with("11:7 container `side`"), "{found:?}");
    }

    #[test]
    fn pod_level_non_root_covers_all_containers() {
        assert!(
            run(
                &RequireRunAsNonRoot::default(),
                &pod("runAsNonRoot: true", "")
            )
            .is_empty()
        );
        assert!(run(&RequireRunAsNonRoot::default(), &pod("runAsUser: 1000", "")).is_empty());
    }

    #[test]
    fn container_overrides_pod_both_ways() {
        // the container's UID 0 beats the pod's non-root user, and says the pair cannot start
        let found = run(
            &RequireRunAsNonRoot::default(),
            &pod("runAsNonRoot: true, runAsUser: 1000", "runAsUser: 0"),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("10:25 container `app` of Pod `p` runs as root (`runAsUser: 0`); with the pod's `runAsNonRoot: true` the kubelet refuses"), "{found:?}");
        // the container's non-root flag beats the pod's `runAsNonRoot: false`, but `side` inherits it
        let found = run(
            &RequireRunAsNonRoot::default(),
            &pod("runAsNonRoot: false", "runAsNonRoot: true"),
        );
        assert_eq!(
            found,
            vec![
                "6:21 Pod `p` sets `runAsNonRoot: false` and no non-zero `runAsUser`: it may run as root"
            ]
        );
    }

    #[test]
    fn pod_level_root_is_one_finding() {
        let found = run(&RequireRunAsNonRoot::default(), &pod("runAsUser: 0", ""));
        assert_eq!(found, vec!["6:21 Pod `p` runs as root (`runAsUser: 0`)"]);
    }

    #[test]
    fn kustomize_patch_reports_nothing_missing() {
        let kustomization = "resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n";
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:2\n";
        let files = [
            ("k/kustomization.yaml", kustomization),
            ("k/patch.yaml", patch),
        ];
        assert!(run_files(&RequireRunAsNonRoot::default(), &files, "k/patch.yaml").is_empty());
        // the same file outside a kustomization is a full object
        assert_eq!(
            run_files(&RequireRunAsNonRoot::default(), &files[1..], "k/patch.yaml").len(),
            1
        );
    }
}
