//! Parsed documents: one parser per file kind, each producing a small typed model with byte spans.
//! Parsers never panic and never fail: what they cannot understand becomes a diagnostic.

use std::collections::HashSet;

use serde::Serialize;

use crate::finding::FileId;
use crate::source::SourceFile;

pub mod compose;
pub mod dockerfile;
pub mod k8s;
pub mod sql;
pub mod yaml;

/// How a discovered file is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A migration or schema dump.
    Sql,
    /// A Dockerfile or Containerfile.
    Docker,
    /// A Docker Compose file; checked by `docker/` rules. Declared before `K8s`: classification
    /// tries kinds in this order, and the k8s globs match every YAML file.
    Compose,
    /// A Kubernetes manifest: YAML or JSON whose documents have `apiVersion` and `kind`.
    K8s,
}

impl FileKind {
    pub const ALL: &'static [FileKind] = &[FileKind::Sql, FileKind::Docker, FileKind::Compose, FileKind::K8s];

    pub const fn as_str(self) -> &'static str {
        match self {
            FileKind::Sql => "sql",
            FileKind::Docker => "docker",
            FileKind::Compose => "compose",
            FileKind::K8s => "k8s",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// Classification globs used unless the policy's `[files.kinds]` replaces them.
    pub const fn default_globs(self) -> &'static [&'static str] {
        match self {
            FileKind::Sql => &["**/migrations/**/*.sql", "**/migrations/*.sql"],
            FileKind::Docker => &[
                "**/Dockerfile",
                "**/dockerfile",
                "**/Dockerfile.*",
                "**/*.Dockerfile",
                "**/*.dockerfile",
                "**/Containerfile",
                "**/Containerfile.*",
            ],
            FileKind::Compose => &[
                "**/compose.yaml",
                "**/compose.yml",
                "**/compose.*.yaml",
                "**/compose.*.yml",
                "**/docker-compose*.yaml",
                "**/docker-compose*.yml",
            ],
            // broad on purpose: files without `apiVersion` and `kind` parse to nothing (k8s::parse)
            FileKind::K8s => &["**/*.yaml", "**/*.yml", "**/*.json", "**/Kustomization"],
        }
    }

    /// The rule-id prefix of rules that check this kind.
    pub const fn rule_kind(self) -> &'static str {
        match self {
            FileKind::Compose => "docker",
            _ => self.as_str(),
        }
    }

    /// Line-comment marker used for inline suppressions in files of this kind.
    pub const fn comment_markers(self) -> &'static [&'static str] {
        match self {
            FileKind::Sql => &["--", "/*"],
            FileKind::Docker | FileKind::Compose => &["#"],
            FileKind::K8s => &["#"],
        }
    }
}

/// The model a parser produced for one file.
#[derive(Debug)]
pub enum Document {
    Sql(sql::SqlFile),
    Docker(dockerfile::Dockerfile),
    Compose(compose::ComposeFile),
    K8s(k8s::K8sFile),
}

/// One file after reading and parsing.
#[derive(Debug)]
pub struct ParsedFile {
    pub id: FileId,
    pub kind: FileKind,
    pub source: SourceFile,
    pub document: Document,
}

impl ParsedFile {
    pub fn sql(&self) -> Option<&sql::SqlFile> {
        match &self.document {
            Document::Sql(sql) => Some(sql),
            _ => None,
        }
    }

    pub fn compose(&self) -> Option<&compose::ComposeFile> {
        match &self.document {
            Document::Compose(c) => Some(c),
            _ => None,
        }
    }

    pub fn dockerfile(&self) -> Option<&dockerfile::Dockerfile> {
        match &self.document {
            Document::Docker(df) => Some(df),
            _ => None,
        }
    }

    pub fn k8s(&self) -> Option<&k8s::K8sFile> {
        match &self.document {
            Document::K8s(k8s) => Some(k8s),
            _ => None,
        }
    }
}

/// Everything the rules see: every parsed file plus the cross-file models built from them.
#[derive(Debug)]
pub struct Project {
    pub files: Vec<ParsedFile>,
    /// Ordered migration sets, replayed into schema state.
    pub migration_sets: Vec<sql::MigrationSet>,
    /// Manifests that a `kustomization.yaml` lists as patches (partial objects), by path.
    pub k8s_patches: HashSet<String>,
}

impl Project {
    pub fn new(files: Vec<ParsedFile>) -> Self {
        let migration_sets = sql::MigrationSet::build_all(&files);
        let k8s_patches = k8s::patch_set(
            files
                .iter()
                .filter_map(|f| f.k8s().map(|k| (f.source.path.as_str(), k))),
        );
        Self {
            files,
            migration_sets,
            k8s_patches,
        }
    }

    pub fn file(&self, id: FileId) -> &ParsedFile {
        &self.files[id]
    }
}
