//! Kubernetes manifests: the objects of a YAML/JSON file, the pod spec of every workload kind, its
//! containers, and each container's effective security context.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::document::yaml::{self, Entry, Node, YamlError};
use crate::source::Span;

/// One manifest file.
#[derive(Debug, Clone, Default)]
pub struct K8sFile {
    pub objects: Vec<K8sObject>,
    /// Documents that did not load (syntax, depth, alias budget) and duplicate keys.
    pub errors: Vec<YamlError>,
    /// Set for Helm templates, which are not YAML: the span of the first `{{ … }}`. Nothing else
    /// is parsed.
    pub helm_template: Option<Span>,
    /// Files named as patches by this file, when it is a `kustomization.yaml` (paths as written,
    /// relative to this file's directory).
    pub kustomize_patches: Vec<String>,
    /// For a CI workflow (`.github/workflows/*.yml`, `.gitea/…`, `.forgejo/…`): the entries of
    /// every `env:` block (workflow, job, step, job container and services). Workflows are not
    /// manifests; only their variables are kept, for the client-exposed variable audit.
    pub workflow_env: Vec<Entry>,
}

/// A Kubernetes object: a mapping with `apiVersion` and `kind`.
#[derive(Debug, Clone)]
pub struct K8sObject {
    /// 0-based document index in the file.
    pub document: usize,
    pub api_version: String,
    pub kind: String,
    /// The `kind:` entry (key through value).
    pub kind_span: Span,
    pub name: Option<String>,
    pub node: Node,
}

/// Where a pod spec sits in each workload kind.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("PodTemplate", &["template", "spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    // OpenShift (apps.openshift.io/v1) and Argo Rollouts (argoproj.io/v1alpha1): Deployment-shaped.
    ("DeploymentConfig", &["spec", "template", "spec"]),
    ("Rollout", &["spec", "template", "spec"]),
];

/// Workload kinds owned by one API group, so an unrelated `kind: Rollout` is not taken for one.
const GROUP_OF: &[(&str, &str)] = &[
    ("DeploymentConfig", "apps.openshift.io/"),
    ("Rollout", "argoproj.io/"),
];

/// The workload kinds tollgate checks.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "DeploymentConfig",
    "Rollout",
];

impl K8sObject {
    /// The pod spec of a workload, with the key that holds it (`spec:` for a Pod, the template's
    /// `spec:` otherwise).
    pub fn pod_spec(&self) -> Option<&Entry> {
        let (_, path) = POD_SPEC_PATHS.iter().find(|(kind, _)| *kind == self.kind)?;
        if let Some((_, group)) = GROUP_OF.iter().find(|(kind, _)| *kind == self.kind) {
            if !self.api_version.starts_with(group) {
                return None;
            }
        }
        let (last, parents) = path.split_last()?;
        let parent = self.node.path(parents)?;
        parent
            .entry(last)
            .filter(|entry| entry.value.as_map().is_some())
    }

    /// Jobs run to completion, so probes and the like do not apply.
    pub fn is_batch(&self) -> bool {
        matches!(self.kind.as_str(), "Job" | "CronJob")
    }

    pub fn pod(&self) -> Option<PodSpec<'_>> {
        self.pod_spec().map(|entry| PodSpec {
            key: entry.key.span,
            node: &entry.value,
        })
    }
}

/// A pod spec inside a workload.
#[derive(Debug, Clone, Copy)]
pub struct PodSpec<'a> {
    /// The key holding the pod spec; findings about missing pod-level fields point here.
    pub key: Span,
    pub node: &'a Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerGroup {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl ContainerGroup {
    pub const ALL: [ContainerGroup; 3] = [
        ContainerGroup::Containers,
        ContainerGroup::InitContainers,
        ContainerGroup::EphemeralContainers,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            ContainerGroup::Containers => "containers",
            ContainerGroup::InitContainers => "initContainers",
            ContainerGroup::EphemeralContainers => "ephemeralContainers",
        }
    }

    /// How a message names a container of this group.
    pub const fn noun(self) -> &'static str {
        match self {
            ContainerGroup::Containers => "container",
            ContainerGroup::InitContainers => "init container",
            ContainerGroup::EphemeralContainers => "ephemeral container",
        }
    }
}

/// Where a security setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Pod,
    Container,
}

/// One effective setting: the entry that decides it and its level.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub entry: &'a Entry,
    pub origin: Origin,
}

impl<'a> Setting<'a> {
    pub fn value(&self) -> &'a Node {
        &self.entry.value
    }

    /// The whole `key: value` span.
    pub fn span(&self) -> Span {
        self.entry.key.span.cover(self.entry.value.span)
    }
}

/// The security context a container runs with: container fields win over pod fields for the ones
/// both levels define, as Kubernetes merges them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityContext<'a> {
    pub run_as_non_root: Option<Setting<'a>>,
    pub run_as_user: Option<Setting<'a>>,
    pub run_as_group: Option<Setting<'a>>,
    pub seccomp_profile: Option<Setting<'a>>,
    pub se_linux_options: Option<Setting<'a>>,
    pub app_armor_profile: Option<Setting<'a>>,
    pub privileged: Option<Setting<'a>>,
    pub allow_privilege_escalation: Option<Setting<'a>>,
    pub read_only_root_filesystem: Option<Setting<'a>>,
    pub capabilities: Option<Setting<'a>>,
}

/// Fields a pod-level `securityContext` shares with containers (container wins).
const SHARED_FIELDS: &[&str] = &[
    "runAsNonRoot",
    "runAsUser",
    "runAsGroup",
    "seccompProfile",
    "seLinuxOptions",
    "appArmorProfile",
];

impl<'a> SecurityContext<'a> {
    pub fn effective(pod: Option<&'a Node>, container: Option<&'a Node>) -> Self {
        let pick = |field: &str| -> Option<Setting<'a>> {
            let from_container = container
                .and_then(|c| c.entry(field))
                .filter(|e| !e.value.is_null());
            if let Some(entry) = from_container {
                return Some(Setting {
                    entry,
                    origin: Origin::Container,
                });
            }
            if !SHARED_FIELDS.contains(&field) {
                return None;
            }
            pod.and_then(|p| p.entry(field))
                .filter(|e| !e.value.is_null())
                .map(|entry| Setting {
                    entry,
                    origin: Origin::Pod,
                })
        };
        Self {
            run_as_non_root: pick("runAsNonRoot"),
            run_as_user: pick("runAsUser"),
            run_as_group: pick("runAsGroup"),
            seccomp_profile: pick("seccompProfile"),
            se_linux_options: pick("seLinuxOptions"),
            app_armor_profile: pick("appArmorProfile"),
            privileged: pick("privileged"),
            allow_privilege_escalation: pick("allowPrivilegeEscalation"),
            read_only_root_filesystem: pick("readOnlyRootFilesystem"),
            capabilities: pick("capabilities"),
        }
    }
}

/// A container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pub group: ContainerGroup,
    pub node: &'a Node,
    pub name: Option<&'a str>,
    /// Where findings about a missing field point: the `name:` entry, or the container's first
    /// line when it has no name.
    pub anchor: Span,
    pub security: SecurityContext<'a>,
}

impl<'a> Container<'a> {
    /// `container "web"` / `init container #2`, for messages.
    pub fn describe(&self) -> String {
        match self.name {
            Some(name) => format!("{} `{name}`", self.group.noun()),
            None => format!("unnamed {}", self.group.noun()),
        }
    }
}

impl<'a> PodSpec<'a> {
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node
            .get("securityContext")
            .filter(|n| n.as_map().is_some())
    }

    /// Every container of every group, in document order within each group.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let pod_sc = self.security_context();
        let mut out = Vec::new();
        for group in ContainerGroup::ALL {
            let Some(items) = self.node.get(group.key()).and_then(Node::as_seq) else {
                continue;
            };
            for node in items.iter().filter(|n| n.as_map().is_some()) {
                let name_entry = node.entry("name");
                let anchor = match (name_entry, node.as_map().and_then(<[Entry]>::first)) {
                    (Some(entry), _) => entry.key.span.cover(entry.value.span),
                    (None, Some(first)) => first.key.span,
                    (None, None) => Span::empty(node.span.start),
                };
                let container_sc = node.get("securityContext").filter(|n| n.as_map().is_some());
                out.push(Container {
                    group,
                    node,
                    name: name_entry.and_then(|e| e.value.as_str()),
                    anchor,
                    security: SecurityContext::effective(pod_sc, container_sc),
                });
            }
        }
        out
    }
}

/// Does `text` look like a Helm template? Returns the first `{{ … }}` (or a dangling `{{`).
pub fn helm_marker(text: &str) -> Option<Span> {
    let start = text.find("{{")?;
    let end = text[start..]
        .find("}}")
        .map_or(start + 2, |rel| start + rel + 2);
    // keep the marker on one line so it reads well in a report
    let line_end = text[start..]
        .find('\n')
        .map_or(text.len(), |rel| start + rel);
    Some(Span::new(start, end.min(line_end).max(start + 2)))
}

/// Parses a manifest file. Files without `apiVersion` and `kind` (the default globs take every
/// YAML/JSON file) give an empty model; Helm templates are recognised and not parsed.
pub fn parse(path: &str, text: &str) -> K8sFile {
    parse_with(path, text, yaml::Limits::default())
}

/// [`parse`] with the YAML loader's depth and alias-expansion budgets (policy `[limits]`).
pub fn parse_with(path: &str, text: &str, limits: yaml::Limits) -> K8sFile {
    if is_workflow_path(path) {
        let stream = yaml::load_with(text, limits);
        return K8sFile {
            errors: stream.errors,
            workflow_env: stream
                .documents
                .into_iter()
                .flat_map(|doc| workflow_env(doc.root))
                .collect(),
            ..K8sFile::default()
        };
    }
    // A Helm template is not YAML until rendered: a file is one when it sits in a chart's
    // `templates/` directory, or when its `{{ … }}` are template syntax rather than text inside
    // YAML strings (Prometheus rule annotations, Grafana dashboards and sed placeholders are
    // valid YAML and are checked like any manifest).
    let helm = helm_marker(text);
    let in_templates = path.split('/').rev().skip(1).any(|dir| dir == "templates");
    if let Some(marker) = helm.filter(|_| in_templates && looks_like_manifest(path, text)) {
        return K8sFile {
            helm_template: Some(marker),
            ..K8sFile::default()
        };
    }
    // Everything else is decided from the loaded documents, never from the text: a key may be
    // written with escapes (`"api\u0056ersion"`), an anchor (`&a apiVersion`) or as a complex key
    // (`? apiVersion`), and only the loader resolves those.
    let stream = yaml::load_with(text, limits);
    let template_syntax = helm.is_some()
        && (!stream.errors.is_empty() || !braces_inside_scalars(text, &stream.documents));
    if let Some(marker) = helm.filter(|_| template_syntax && looks_like_manifest(path, text)) {
        return K8sFile {
            helm_template: Some(marker),
            ..K8sFile::default()
        };
    }
    let mut file = K8sFile {
        errors: stream.errors,
        ..K8sFile::default()
    };
    let is_kustomization = is_kustomization_path(path);
    for doc in stream.documents {
        if is_kustomization {
            file.kustomize_patches
                .extend(kustomize_patch_paths(&doc.root));
        }
        collect_objects(doc.index, doc.root, &mut file.objects);
    }
    file
}

/// Whether every `{{` of `text` lies inside a scalar of the loaded documents: then the braces are
/// text (`summary: "{{ $labels.instance }} is down"`), not template syntax that the YAML parser
/// read as flow mappings.
fn braces_inside_scalars(text: &str, documents: &[yaml::YamlDocument]) -> bool {
    let mut scalars: Vec<Span> = Vec::new();
    let mut pending: Vec<&Node> = documents.iter().map(|d| &d.root).collect();
    while let Some(node) = pending.pop() {
        match &node.kind {
            yaml::NodeKind::Scalar { .. } => scalars.push(node.span),
            yaml::NodeKind::Seq(items) => pending.extend(items),
            yaml::NodeKind::Map(entries) => {
                for entry in entries {
                    pending.push(&entry.key);
                    pending.push(&entry.value);
                }
            }
        }
    }
    scalars.sort();
    let in_scalar = |at: usize| {
        let i = scalars.partition_point(|s| s.start <= at);
        scalars[..i].iter().rev().take(64).any(|s| s.end > at)
    };
    // A comment starts at a `#` that begins the line or follows a blank, outside any scalar.
    // Only the 512 bytes before a `{{` are looked at, so one huge line stays linear; a comment
    // farther back is taken for template syntax (the file is then skipped as a Helm template).
    let in_comment = |at: usize| {
        let mut line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        line_start = line_start.max(at.saturating_sub(512));
        while !text.is_char_boundary(line_start) {
            line_start += 1;
        }
        text[line_start..at].char_indices().any(|(i, c)| {
            let pos = line_start + i;
            c == '#' && (i == 0 || text[..pos].ends_with([' ', '\t'])) && !in_scalar(pos)
        })
    };
    text.match_indices("{{")
        .all(|(at, _)| in_scalar(at) || in_comment(at))
}

/// `apiVersion` and `kind` make a mapping an object; a `List` (or `*List`) contributes its items.
fn collect_objects(document: usize, root: Node, out: &mut Vec<K8sObject>) {
    // a List's items may be Lists again: iterate, never recurse
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let Some((api_version, kind, kind_span)) = object_header(&node) else {
            continue;
        };
        if kind == "List" || kind.ends_with("List") {
            if let yaml::NodeKind::Map(entries) = node.kind {
                if let Some(yaml::NodeKind::Seq(items)) = entries
                    .into_iter()
                    .rev()
                    .find(|e| e.key.as_str() == Some("items"))
                    .map(|e| e.value.kind)
                {
                    pending.extend(items.into_iter().rev());
                }
            }
            continue;
        }
        let name = node
            .path(&["metadata", "name"])
            .and_then(Node::as_str)
            .map(str::to_string);
        out.push(K8sObject {
            document,
            api_version,
            kind,
            kind_span,
            name,
            node,
        });
    }
}

fn object_header(node: &Node) -> Option<(String, String, Span)> {
    let api_version = node.get("apiVersion")?.as_str()?.to_string();
    let kind_entry = node.entry("kind")?;
    let kind = kind_entry.value.as_str()?.to_string();
    Some((
        api_version,
        kind,
        kind_entry.key.span.cover(kind_entry.value.span),
    ))
}

/// Whether a file's text looks like a manifest (`apiVersion:` and `kind:` keys written plainly).
/// Only for Helm templates, which cannot be loaded; every other file is classified by its loaded
/// documents ([`parse_with`]).
pub fn looks_like_manifest(path: &str, text: &str) -> bool {
    static API_VERSION: LazyLock<Regex> = LazyLock::new(|| key_regex("apiVersion"));
    static KIND: LazyLock<Regex> = LazyLock::new(|| key_regex("kind"));
    is_kustomization_path(path) || (API_VERSION.is_match(text) && KIND.is_match(text))
}

/// `key:` as a YAML block key, a list item's first key, or a JSON member.
fn key_regex(key: &str) -> Regex {
    let pattern = format!(r#"(?m)(^[ \t]*(-[ \t]+)?|[{{,][ \t]*)["']?{key}["']?[ \t]*:"#);
    Regex::new(&pattern).unwrap_or_else(|_| unreachable!("constant pattern"))
}

/// A CI workflow file: GitHub Actions, or the Gitea/Forgejo copies of its layout.
pub fn is_workflow_path(path: &str) -> bool {
    let path = path.strip_prefix("./").unwrap_or(path);
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".yml") || lower.ends_with(".yaml"))
        && [
            ".github/workflows/",
            ".gitea/workflows/",
            ".forgejo/workflows/",
        ]
        .iter()
        .any(|dir| lower.starts_with(dir) || lower.contains(&format!("/{dir}")))
}

/// The entries of a workflow's `env:` blocks: top level, `jobs.<id>.env`, `jobs.<id>.steps[].env`,
/// `jobs.<id>.container.env` and `jobs.<id>.services.<name>.env`.
fn workflow_env(root: Node) -> Vec<Entry> {
    fn take_env(node: &Node, out: &mut Vec<Entry>) {
        if let Some(entries) = node.get("env").and_then(Node::as_map) {
            out.extend(entries.iter().cloned());
        }
    }
    let mut out = Vec::new();
    take_env(&root, &mut out);
    let jobs = root.get("jobs").and_then(Node::as_map).unwrap_or(&[]);
    for job in jobs.iter().map(|e| &e.value) {
        take_env(job, &mut out);
        if let Some(container) = job.get("container") {
            take_env(container, &mut out);
        }
        for service in job.get("services").and_then(Node::as_map).unwrap_or(&[]) {
            take_env(&service.value, &mut out);
        }
        for step in job.get("steps").and_then(Node::as_seq).unwrap_or(&[]) {
            take_env(step, &mut out);
        }
    }
    out
}

pub fn is_kustomization_path(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    matches!(
        file,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// Paths a kustomization names as patches (`patches[].path`, `patchesStrategicMerge[]`,
/// `patchesJson6902[].path`).
fn kustomize_patch_paths(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
        let Some(items) = root.get(key).and_then(Node::as_seq) else {
            continue;
        };
        for item in items {
            let path = item
                .as_str()
                .or_else(|| item.get("path").and_then(Node::as_str));
            // an inline patch string holds YAML (has a newline), not a path
            if let Some(path) = path.filter(|p| !p.contains('\n')) {
                out.push(path.trim().to_string());
            }
        }
    }
    out
}

/// Resolves the patch paths of every kustomization into project-relative paths (`/`-separated),
/// so rules can tell which manifests are partial.
pub fn patch_set<'a>(
    kustomizations: impl IntoIterator<Item = (&'a str, &'a K8sFile)>,
) -> HashSet<String> {
    let mut set = HashSet::new();
    for (path, file) in kustomizations {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for patch in &file.kustomize_patches {
            set.insert(normalize_join(dir, patch));
        }
    }
    set
}

fn normalize_join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    fn line_col(text: &str, span: Span) -> (usize, usize) {
        let lc = LineIndex::new(text).line_col(span.start, text);
        (lc.line, lc.column)
    }

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      initContainers:
        - name: init
          image: busybox
          securityContext:
            runAsUser: 0
      containers:
        - name: app
          image: app:1.0
          securityContext:
            readOnlyRootFilesystem: true
      ephemeralContainers:
        - image: debug
";

    #[test]
    fn every_container_group_with_effective_security_context() {
        let file = parse("deploy.yaml", DEPLOY);
        assert!(file.errors.is_empty());
        let object = &file.objects[0];
        assert_eq!(
            (object.kind.as_str(), object.name.as_deref()),
            ("Deployment", Some("web"))
        );
        let pod = object.pod().unwrap();
        assert_eq!(line_col(DEPLOY, pod.key), (7, 5));
        let containers = pod.containers();
        let groups: Vec<_> = containers.iter().map(|c| (c.group, c.name)).collect();
        assert_eq!(
            groups,
            vec![
                (ContainerGroup::Containers, Some("app")),
                (ContainerGroup::InitContainers, Some("init")),
                (ContainerGroup::EphemeralContainers, None)
            ]
        );
        // app inherits the pod's user; init overrides it (container wins)
        let app = &containers[0].security;
        assert_eq!(app.run_as_user.map(|s| s.origin), Some(Origin::Pod));
        assert_eq!(line_col(DEPLOY, app.run_as_user.unwrap().span()), (10, 9));
        assert!(
            app.read_only_root_filesystem
                .is_some_and(|s| s.origin == Origin::Container)
        );
        let init = &containers[1].security;
        assert_eq!(
            init.run_as_user.map(|s| (s.origin, s.value().as_i64())),
            Some((Origin::Container, Some(0)))
        );
        assert_eq!(init.run_as_non_root.map(|s| s.origin), Some(Origin::Pod));
        // container-only fields never come from the pod
        assert!(init.read_only_root_filesystem.is_none());
        assert_eq!(line_col(DEPLOY, containers[0].anchor), (17, 11));
        assert_eq!(line_col(DEPLOY, containers[2].anchor), (22, 11));
    }

    #[test]
    fn pod_spec_of_every_workload_kind() {
        let cases = [
            ("Pod", "spec:\n  containers: [{name: a}]\n"),
            (
                "PodTemplate",
                "template:\n  spec:\n    containers: [{name: a}]\n",
            ),
            (
                "CronJob",
                "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a}]\n",
            ),
        ];
        for (kind, body) in cases {
            let text = format!("apiVersion: v1\nkind: {kind}\n{body}");
            let file = parse("x.yaml", &text);
            assert_eq!(
                file.objects[0].pod().map(|p| p.containers().len()),
                Some(1),
                "{kind}"
            );
        }
        for kind in [
            "Deployment",
            "ReplicaSet",
            "ReplicationController",
            "StatefulSet",
            "DaemonSet",
            "Job",
        ] {
            let text = format!(
                "apiVersion: v1\nkind: {kind}\nspec:\n  template:\n    spec:\n      containers: [{{name: a}}]\n"
            );
            let file = parse("x.yaml", &text);
            assert_eq!(
                file.objects[0].pod().map(|p| p.containers().len()),
                Some(1),
                "{kind}"
            );
        }
        let service = parse(
            "s.yaml",
            "apiVersion: v1\nkind: Service\nspec: {ports: []}\n",
        );
        assert!(service.objects[0].pod().is_none());
    }

    #[test]
    fn lists_and_documents_become_objects() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n---\nnot: an object\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n";
        let file = parse("l.yaml", text);
        let summary: Vec<_> = file
            .objects
            .iter()
            .map(|o| (o.document, o.kind.as_str(), o.name.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, "Pod", Some("a")),
                (0, "ConfigMap", None),
                (2, "Pod", Some("b"))
            ]
        );
        assert_eq!(line_col(text, file.objects[0].kind_span), (5, 5));
    }

    #[test]
    fn braces_inside_yaml_strings_are_not_templates() {
        let text = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: node\nspec:\n  groups:\n    - name: node\n      rules:\n        - alert: NodeDown\n          annotations:\n            summary: \"{{ $labels.instance }} is down\"\n            description: |\n              {{ $labels.instance }} has been unreachable for 5 minutes.\n";
        let file = parse("monitoring/rules.yaml", text);
        assert_eq!(file.helm_template, None);
        assert_eq!(file.objects.len(), 1);
        // The same braces as template syntax, outside a chart: still a template.
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  replicas: {{ .Values.replicas }}\n";
        assert!(parse("deploy/pod.yaml", text).helm_template.is_some());
        let text = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\n{{- end }}\n";
        assert!(parse("deploy/pod.yaml", text).helm_template.is_some());
    }

    #[test]
    fn helm_templates_are_not_parsed() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
        let file = parse("chart/templates/pod.yaml", text);
        assert!(file.objects.is_empty() && file.errors.is_empty());
        let span = file.helm_template.unwrap();
        assert_eq!(&text[span.range()], "{{ .Release.Name }}");
        assert_eq!(line_col(text, span), (4, 9));
    }

    #[test]
    fn kustomize_patches_resolve_relative_to_the_kustomization() {
        let text = "resources: [base.yaml]\npatches:\n  - path: patches/replicas.yaml\n  - patch: |-\n      - op: remove\n        path: /spec\npatchesStrategicMerge:\n  - ../common/sc.yaml\npatchesJson6902:\n  - path: ./json.yaml\n";
        let file = parse("overlays/prod/kustomization.yaml", text);
        assert_eq!(
            file.kustomize_patches,
            vec!["patches/replicas.yaml", "../common/sc.yaml", "./json.yaml"]
        );
        let set = patch_set([("overlays/prod/kustomization.yaml", &file)]);
        let mut paths: Vec<_> = set.into_iter().collect();
        paths.sort();
        assert_eq!(
            paths,
            vec![
                "overlays/common/sc.yaml",
                "overlays/prod/json.yaml",
                "overlays/prod/patches/replicas.yaml"
            ]
        );
    }

    #[test]
    fn classification_needs_api_version_and_kind() {
        assert!(looks_like_manifest("a.yaml", "apiVersion: v1\nkind: Pod\n"));
        assert!(looks_like_manifest(
            "a.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}"
        ));
        assert!(looks_like_manifest(
            "a.yaml",
            "- apiVersion: v1\n  kind: Pod\n"
        ));
        assert!(!looks_like_manifest("a.yaml", "name: ci\non: push\n"));
        assert!(looks_like_manifest(
            "k/kustomization.yaml",
            "resources: []\n"
        ));
    }
}
