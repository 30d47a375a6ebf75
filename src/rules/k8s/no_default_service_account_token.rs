use crate::document::Project;
use crate::document::yaml::Node;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter, describe_pod};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A pod mounts a service account token it probably does not need (`automountServiceAccountToken` not `false`).
    ///
    /// ## Why it matters
    /// Every pod gets a token for its service account mounted at
    /// `/var/run/secrets/kubernetes.io/serviceaccount` unless told otherwise. Most applications
    /// never call the Kubernetes API, but an attacker inside the container can use the token to.
    /// Opt out on the pod, or on a ServiceAccount defined in the same file that the pod uses.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers: [{name: app, image: app:1.0}]
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   automountServiceAccountToken: false
    ///   containers: [{name: app, image: app:1.0}]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Configure service accounts for pods: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting>
    pub struct NoDefaultServiceAccountToken {}
    id: "k8s/no-default-service-account-token",
    level: Note,
    summary: "Pod mounts a service account token",
}

const HELP: &str = "set `automountServiceAccountToken: false` in the pod spec unless the pod calls the Kubernetes API";

impl Rule for NoDefaultServiceAccountToken {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        // service accounts of this file that opt out themselves
        let opted_out: Vec<&str> = manifest
            .file
            .objects
            .iter()
            .filter(|o| {
                o.kind == "ServiceAccount"
                    && o.node
                        .get("automountServiceAccountToken")
                        .and_then(Node::as_bool)
                        == Some(false)
            })
            .filter_map(|o| o.name.as_deref())
            .collect();
        let mut out = Reporter::new(file, sink);
        for (object, pod) in manifest.workloads() {
            match pod.node.entry("automountServiceAccountToken") {
                Some(entry) if entry.value.as_bool() == Some(false) => {}
                Some(entry) => {
                    let message =
                        format!("{} mounts its service account token", describe_pod(object));
                    out.report(entry.key.span.cover(entry.value.span), message, HELP);
                }
                None if manifest.partial => {}
                None => {
                    let account = pod
                        .node
                        .get("serviceAccountName")
                        .and_then(Node::as_str)
                        .unwrap_or("default");
                    if opted_out.contains(&account) {
                        continue;
                    }
                    let message = format!(
                        "{} mounts the `{account}` service account token (`automountServiceAccountToken` is not false)",
                        describe_pod(object)
                    );
                    out.report(pod.key, message, HELP);
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
    fn missing_points_at_the_pod_spec_key() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n";
        assert_eq!(
            run(&NoDefaultServiceAccountToken::default(), text),
            vec![
                "6:5 the pod template of Deployment `web` mounts the `default` service account token (`automountServiceAccountToken` is not false)"
            ]
        );
    }

    #[test]
    fn pod_or_service_account_opt_out() {
        let pod = "apiVersion: v1\nkind: Pod\nspec:\n  automountServiceAccountToken: false\n  containers: [{name: a}]\n";
        assert!(run(&NoDefaultServiceAccountToken::default(), pod).is_empty());
        let with_sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\nautomountServiceAccountToken: false\n---\napiVersion: v1\nkind: Pod\nspec:\n  serviceAccountName: app\n  containers: [{name: a}]\n";
        assert!(run(&NoDefaultServiceAccountToken::default(), with_sa).is_empty());
        let explicit = "apiVersion: v1\nkind: Pod\nspec:\n  automountServiceAccountToken: true\n  containers: [{name: a}]\n";
        assert_eq!(
            run(&NoDefaultServiceAccountToken::default(), explicit),
            vec!["4:3 unnamed Pod mounts its service account token"]
        );
    }
}
