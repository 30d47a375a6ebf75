//! Rules over Kubernetes manifests, and what they share: the file view with its kustomize-patch
//! status, workload and container iteration, and de-duplication of findings about pod-level
//! settings that several containers inherit.

use std::collections::HashSet;

use crate::document::Project;
use crate::document::k8s::{Container, K8sFile, K8sObject, Origin, PodSpec, Setting};
use crate::finding::{Diagnostic, FileId};
use crate::rules::Sink;
use crate::source::Span;

pub mod drop_capabilities;
pub mod helm_template;
pub mod no_dangerous_capabilities;
pub mod no_default_service_account_token;
pub mod no_host_namespaces;
pub mod no_host_path;
pub mod no_plaintext_secret_env;
pub mod no_privilege_escalation;
pub mod no_privileged;
pub mod no_secret_manifest;
pub mod parse_error;
pub mod pin_image;
pub mod require_probes;
pub mod require_read_only_root_fs;
pub mod require_resources;
pub mod require_run_as_non_root;
pub mod require_seccomp;

/// What a k8s rule sees of one file.
pub(crate) struct Manifest<'a> {
    pub file: &'a K8sFile,
    /// A partial object, so nothing counts as missing: listed as a patch by a `kustomization.yaml`,
    /// or a file named like a patch (`patches/`, `*-patch.yaml`) whose containers have no `image`
    /// (the API requires one: a strategic-merge patch such as kubeadm's `--patches`).
    pub partial: bool,
}

impl<'a> Manifest<'a> {
    pub fn of(file: FileId, project: &'a Project) -> Option<Self> {
        let parsed = project.file(file);
        let k8s = parsed.k8s()?;
        let fragment = parsed.source.path.to_ascii_lowercase().contains("patch")
            && k8s.objects.iter().filter_map(K8sObject::pod).all(|pod| {
                pod.containers()
                    .iter()
                    .all(|c| c.node.get("image").is_none())
            });
        Some(Self {
            file: k8s,
            partial: fragment || project.facts.k8s_patches.contains(&parsed.source.path),
        })
    }

    pub fn workloads(&self) -> impl Iterator<Item = (&'a K8sObject, PodSpec<'a>)> + 'a {
        self.file
            .objects
            .iter()
            .filter_map(|object| object.pod().map(|pod| (object, pod)))
    }

    pub fn containers(&self) -> impl Iterator<Item = Workload<'a>> + 'a {
        self.workloads().flat_map(|(object, pod)| {
            pod.containers()
                .into_iter()
                .map(move |container| Workload { object, container })
        })
    }
}

/// A container with the object it belongs to.
#[derive(Clone, Copy)]
pub(crate) struct Workload<'a> {
    pub object: &'a K8sObject,
    pub container: Container<'a>,
}

impl Workload<'_> {
    /// Who a finding is about: the container, or the pod when the setting is inherited from it.
    pub fn subject(&self, setting: Option<&Setting<'_>>) -> String {
        match setting.map(|s| s.origin) {
            Some(Origin::Pod) => describe_pod(self.object),
            _ => format!(
                "{} of {}",
                self.container.describe(),
                describe_object(self.object)
            ),
        }
    }
}

/// `Deployment `web``.
pub(crate) fn describe_object(object: &K8sObject) -> String {
    match &object.name {
        Some(name) => format!("{} `{name}`", object.kind),
        None => format!("unnamed {}", object.kind),
    }
}

pub(crate) fn describe_pod(object: &K8sObject) -> String {
    if object.kind == "Pod" {
        describe_object(object)
    } else {
        format!("the pod template of {}", describe_object(object))
    }
}

/// Pushes diagnostics into the sink, dropping exact repeats: a pod-level setting inherited by
/// several containers is one finding, not one per container.
pub(crate) struct Reporter<'s> {
    file: FileId,
    sink: &'s mut Sink,
    seen: HashSet<(Span, String)>,
}

impl<'s> Reporter<'s> {
    pub fn new(file: FileId, sink: &'s mut Sink) -> Self {
        Self {
            file,
            sink,
            seen: HashSet::new(),
        }
    }

    pub fn report(&mut self, span: Span, message: String, help: impl Into<String>) {
        if self.seen.insert((span, message.clone())) {
            self.sink
                .push(Diagnostic::new(self.file, span, message).help(help));
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs one rule over in-memory manifests and renders findings as `line:col message`.

    use std::collections::HashSet;

    use crate::document::{Document, FileKind, ParsedFile, Project, k8s};
    use crate::rules::Rule;
    use crate::source::SourceFile;

    pub fn run(rule: &dyn Rule, text: &str) -> Vec<String> {
        run_files(rule, &[("manifest.yaml", text)], "manifest.yaml")
    }

    /// Checks `target` among `files` (path, text), so kustomizations can mark it as a patch.
    pub fn run_files(rule: &dyn Rule, files: &[(&str, &str)], target: &str) -> Vec<String> {
        let parsed: Vec<ParsedFile> = files
            .iter()
            .enumerate()
            .map(|(id, (path, text))| ParsedFile {
                id,
                kind: FileKind::K8s,
                source: SourceFile::in_memory(path, text),
                document: Document::K8s(k8s::parse(path, text)),
            })
            .collect();
        let project = Project::new(parsed);
        let target = project
            .files
            .iter()
            .position(|f| f.source.path == target)
            .unwrap_or(0);
        let mut sink = Vec::new();
        rule.check_file(target, &project, &mut sink);
        rule.check_project(&project, &mut sink);
        let source = &project.file(target).source;
        let mut seen = HashSet::new();
        sink.iter()
            .map(|d| {
                let lc = source.line_col(d.span.start);
                assert!(
                    seen.insert((d.span, d.message.clone())),
                    "duplicate finding {}",
                    d.message
                );
                format!("{}:{} {}", lc.line, lc.column, d.message)
            })
            .collect()
    }
}
