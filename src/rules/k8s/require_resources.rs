use serde::Deserialize;

use crate::document::Project;
use crate::document::k8s::ContainerGroup;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A container does not declare the CPU and memory requests and limits the policy requires.
    ///
    /// ## Why it matters
    /// Without requests the scheduler packs pods blindly and a busy neighbour starves yours; without
    /// a memory limit one leaking container can push the whole node into OOM kills; without a CPU
    /// limit a runaway process takes every core it can. Requests and limits also decide the pod's
    /// QoS class, i.e. who gets evicted first. Ephemeral (debug) containers cannot have resources
    /// and are not checked.
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
    ///       resources:
    ///         requests: {cpu: 100m}
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
    ///       resources:
    ///         requests: {cpu: 100m, memory: 128Mi}
    ///         limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## Options
    /// - `require` (list, default all four): which of `requests.cpu`, `requests.memory`,
    ///   `limits.cpu`, `limits.memory` every container must set. Teams that avoid CPU throttling
    ///   often drop `limits.cpu`.
    ///
    /// ## References
    /// - Resource management for pods and containers: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - Pod quality of service classes: <https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/>
    pub struct RequireResources {
        /// The requests and limits every container must set.
        pub require: Vec<Resource>,
    }
    id: "k8s/require-resources",
    level: Warning,
    summary: "Container without CPU/memory requests or limits",
}

/// One resource setting a policy can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum Resource {
    #[serde(rename = "requests.cpu")]
    RequestsCpu,
    #[serde(rename = "requests.memory")]
    RequestsMemory,
    #[serde(rename = "limits.cpu")]
    LimitsCpu,
    #[serde(rename = "limits.memory")]
    LimitsMemory,
}

impl Resource {
    const fn path(self) -> (&'static str, &'static str) {
        match self {
            Resource::RequestsCpu => ("requests", "cpu"),
            Resource::RequestsMemory => ("requests", "memory"),
            Resource::LimitsCpu => ("limits", "cpu"),
            Resource::LimitsMemory => ("limits", "memory"),
        }
    }
}

impl Default for RequireResources {
    fn default() -> Self {
        Self {
            require: vec![
                Resource::RequestsCpu,
                Resource::RequestsMemory,
                Resource::LimitsCpu,
                Resource::LimitsMemory,
            ],
        }
    }
}

impl Rule for RequireResources {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        if manifest.partial {
            return;
        }
        let mut out = Reporter::new(file, sink);
        for workload in manifest.containers() {
            if workload.container.group == ContainerGroup::EphemeralContainers {
                continue;
            }
            let resources = workload.container.node.entry("resources");
            let missing: Vec<String> = self
                .require
                .iter()
                .map(|r| r.path())
                .filter(|(section, name)| {
                    let value = resources.and_then(|r| r.value.path(&[section, name]));
                    value.is_none_or(|v| v.is_null())
                })
                .map(|(section, name)| format!("{section}.{name}"))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let anchor = resources.map_or(workload.container.anchor, |r| r.key.span);
            let message = format!(
                "{} does not set {}",
                workload.subject(None),
                missing.join(", ")
            );
            out.report(
                anchor,
                message,
                "set `resources.requests` and `resources.limits` for cpu and memory",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    const TEXT: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n        - name: pg\n          resources:\n            requests: {cpu: 100m, memory: 1Gi}\n            limits: {memory: 1Gi}\n        - name: exporter\n      ephemeralContainers:\n        - name: debug\n";

    #[test]
    fn missing_resources_are_listed() {
        assert_eq!(
            run(&RequireResources::default(), TEXT),
            vec![
                "9:11 container `pg` of StatefulSet `db` does not set limits.cpu",
                "12:11 container `exporter` of StatefulSet `db` does not set requests.cpu, requests.memory, limits.cpu, limits.memory"
            ]
        );
    }

    #[test]
    fn which_resources_is_configurable() {
        let rule: RequireResources =
            toml::from_str("require = [\"requests.memory\", \"limits.memory\"]").unwrap();
        assert_eq!(
            run(&rule, TEXT),
            vec![
                "12:11 container `exporter` of StatefulSet `db` does not set requests.memory, limits.memory"
            ]
        );
        assert!(toml::from_str::<RequireResources>("require = [\"limits.gpu\"]").is_err());
    }
}
