use crate::document::Project;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container's root filesystem is writable (`readOnlyRootFilesystem` not `true`).
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an attacker who gets code execution drop tools, modify
    /// binaries and persist across process restarts. Mount an `emptyDir` for the paths that must be
    /// writable (`/tmp`, caches) and make the rest read-only.
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
    ///         readOnlyRootFilesystem: true
    ///       volumeMounts: [{name: tmp, mountPath: /tmp}]
    ///   volumes: [{name: tmp, emptyDir: {}}]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
    /// - CIS Kubernetes Benchmark 5.7.3
    pub struct RequireReadOnlyRootFs {}
    id: "k8s/require-read-only-root-fs",
    level: Warning,
    summary: "Container root filesystem is writable",
}

const HELP: &str =
    "set `readOnlyRootFilesystem: true` and mount an emptyDir where the process must write";

impl Rule for RequireReadOnlyRootFs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            match workload.container.security.read_only_root_filesystem {
                Some(setting) if setting.value().as_bool() == Some(true) => {}
                Some(setting) => {
                    let message = format!(
                        "{} has a writable root filesystem",
                        workload.subject(Some(&setting))
                    );
                    out.report(setting.span(), message, HELP);
                }
                None if manifest.partial => {}
                None => {
                    let message = format!(
                        "{} does not set `readOnlyRootFilesystem: true`",
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
    fn false_and_missing_are_reported() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          securityContext: {readOnlyRootFilesystem: false}\n      containers:\n        - name: run\n          securityContext: {readOnlyRootFilesystem: true}\n";
        assert_eq!(
            run(&RequireReadOnlyRootFs::default(), text),
            vec!["9:29 init container `migrate` of Job `j` has a writable root filesystem"]
        );
    }

    #[test]
    fn missing_points_at_name() {
        let text =
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: x:1\n      name: a\n";
        assert_eq!(
            run(&RequireReadOnlyRootFs::default(), text),
            vec!["6:7 container `a` of unnamed Pod does not set `readOnlyRootFilesystem: true`"]
        );
    }
}
