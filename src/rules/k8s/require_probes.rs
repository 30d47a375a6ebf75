use serde::Deserialize;

use crate::document::Project;
use crate::document::k8s::ContainerGroup;
use crate::finding::FileId;
use crate::rules::k8s::{Manifest, Reporter};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A long-running container has no liveness or readiness probe.
    ///
    /// ## Why it matters
    /// Without a readiness probe, traffic reaches a pod before it can serve and keeps reaching it
    /// when it cannot; without a liveness probe, a deadlocked process is never restarted. Jobs and
    /// CronJobs run to completion and are not checked, nor are init and ephemeral containers (which
    /// cannot have these probes). Off by default; enabled by the `strict` policy.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: app:1.0
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: app
    ///           image: app:1.0
    ///           readinessProbe: {httpGet: {path: /ready, port: 8080}}
    ///           livenessProbe: {httpGet: {path: /live, port: 8080}}
    /// ```
    ///
    /// ## Options
    /// - `require` (list, default `["liveness", "readiness"]`): which of `liveness`, `readiness`
    ///   and `startup` probes every container must have.
    ///
    /// ## References
    /// - Configure liveness, readiness and startup probes: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
    pub struct RequireProbes {
        /// The probes every long-running container must have.
        pub require: Vec<Probe>,
    }
    id: "k8s/require-probes",
    level: Off,
    summary: "Container without liveness or readiness probe",
}

/// A probe kind a policy can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Probe {
    Liveness,
    Readiness,
    Startup,
}

impl Probe {
    const fn key(self) -> &'static str {
        match self {
            Probe::Liveness => "livenessProbe",
            Probe::Readiness => "readinessProbe",
            Probe::Startup => "startupProbe",
        }
    }
}

impl Default for RequireProbes {
    fn default() -> Self {
        Self {
            require: vec![Probe::Liveness, Probe::Readiness],
        }
    }
}

impl Rule for RequireProbes {
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
            if workload.object.is_batch() || workload.container.group != ContainerGroup::Containers
            {
                continue;
            }
            let missing: Vec<&str> = self
                .require
                .iter()
                .map(|p| p.key())
                .filter(|key| workload.container.node.get(key).is_none_or(|v| v.is_null()))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let message = format!("{} has no {}", workload.subject(None), missing.join(" or "));
            out.report(
                workload.container.anchor,
                message,
                "add probes so Kubernetes routes traffic only to ready pods and restarts hung ones",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn long_running_containers_need_probes() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers: [{name: init}]\n      containers:\n        - name: app\n          readinessProbe: {tcpSocket: {port: 80}}\n        - name: ok\n          readinessProbe: {tcpSocket: {port: 80}}\n          livenessProbe: {tcpSocket: {port: 80}}\n";
        assert_eq!(
            run(&RequireProbes::default(), text),
            vec!["9:11 container `app` of Deployment `web` has no livenessProbe"]
        );
    }

    #[test]
    fn jobs_are_exempt() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: run}]\n";
        assert!(run(&RequireProbes::default(), text).is_empty());
    }

    #[test]
    fn off_by_default() {
        assert_eq!(
            RequireProbes::META.default_level,
            crate::finding::RuleLevel::Off
        );
    }
}
