use crate::document::Project;
use crate::document::yaml::Node;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter, describe_pod};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A pod mounts a directory or file of the node (`hostPath` volume).
    ///
    /// ## Why it matters
    /// A `hostPath` volume exposes the node's filesystem to the container: `/var/run/docker.sock`
    /// or `/` is a full node takeover, `/var/log` leaks other tenants' logs, and any writable host
    /// path lets a container plant files the node will run. Use `emptyDir`, a ConfigMap/Secret
    /// volume or a PersistentVolumeClaim instead.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: ci}
    /// spec:
    ///   containers: [{name: app, image: app:1.0}]
    ///   volumes:
    ///     - name: docker
    ///       hostPath: {path: /var/run/docker.sock}
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: ci}
    /// spec:
    ///   containers: [{name: app, image: app:1.0}]
    ///   volumes:
    ///     - name: scratch
    ///       emptyDir: {}
    /// ```
    ///
    /// ## Options
    /// - `allowed-paths` (list of paths, default empty): host paths that may be mounted, matched
    ///   exactly or as a parent directory (`/var/log` allows `/var/log/app`).
    ///
    /// ## References
    /// - Pod Security Standards, baseline profile: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
    /// - hostPath volumes: <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    pub struct NoHostPath {
        /// Host paths that may be mounted (exact or parent directory).
        pub allowed_paths: Vec<String>,
    }
    id: "k8s/no-host-path",
    level: Error,
    summary: "Pod mounts a path of the node",
}

#[expect(
    clippy::derivable_impls,
    reason = "declare_rule! derives no Default for rules with options"
)]
impl Default for NoHostPath {
    fn default() -> Self {
        Self {
            allowed_paths: Vec::new(),
        }
    }
}

impl NoHostPath {
    fn allows(&self, path: &str) -> bool {
        self.allowed_paths.iter().any(|allowed| {
            let allowed = allowed.trim_end_matches('/');
            path == allowed
                || path
                    .strip_prefix(allowed)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

impl Rule for NoHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut out = Reporter::new(file, sink);
        for (object, pod) in manifest.workloads() {
            let Some(volumes) = pod.node.get("volumes").and_then(Node::as_seq) else {
                continue;
            };
            for volume in volumes {
                let Some(host_path) = volume.entry("hostPath") else {
                    continue;
                };
                let path = host_path
                    .value
                    .get("path")
                    .and_then(Node::as_str)
                    .unwrap_or("");
                if !path.is_empty() && self.allows(path) {
                    continue;
                }
                let name = volume
                    .get("name")
                    .and_then(Node::as_str)
                    .map_or_else(String::new, |n| format!(" `{n}`"));
                let message = format!(
                    "{} mounts host path `{path}` as volume{name}",
                    describe_pod(object)
                );
                let help = "use an emptyDir, ConfigMap/Secret or PersistentVolumeClaim volume instead, or list the path in `allowed-paths`";
                out.report(host_path.key.span, message, help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    const TEXT: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]\n  volumes:\n    - name: sock\n      hostPath:\n        path: /var/run/docker.sock\n    - name: logs\n      hostPath: {path: /var/log/app, type: Directory}\n    - name: tmp\n      emptyDir: {}\n";

    #[test]
    fn host_paths_are_reported_at_the_key() {
        assert_eq!(
            run(&NoHostPath::default(), TEXT),
            vec![
                "8:7 Pod `p` mounts host path `/var/run/docker.sock` as volume `sock`",
                "11:7 Pod `p` mounts host path `/var/log/app` as volume `logs`"
            ]
        );
    }

    #[test]
    fn allowed_paths_match_parent_directories_only() {
        let rule = NoHostPath {
            allowed_paths: vec!["/var/log/".into(), "/var/run/docker".into()],
        };
        assert_eq!(
            run(&rule, TEXT),
            vec!["8:7 Pod `p` mounts host path `/var/run/docker.sock` as volume `sock`"]
        );
    }
}
