//! Parsed documents: one parser per file kind, each producing a small typed model with byte spans.
//! Parsers never panic and never fail: what they cannot understand becomes a diagnostic.

use std::collections::HashSet;
use std::sync::Arc;

use serde::Serialize;

use crate::finding::FileId;
use crate::source::SourceFile;

pub mod compose;
pub mod dockerfile;
pub mod env;
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
    /// A dotenv file: a real environment (`.env`) or a template (`.env.example`).
    Env,
    /// Source code, read for environment-variable references.
    Code,
    /// A Kubernetes manifest: YAML or JSON whose documents have `apiVersion` and `kind`.
    K8s,
    /// Every other file (docs, reports, configs, scripts, assets): scanned for plaintext secrets
    /// only; binary files are skipped and counted.
    Text,
}

impl FileKind {
    pub const ALL: &'static [FileKind] = &[
        FileKind::Sql,
        FileKind::Docker,
        FileKind::Compose,
        FileKind::Env,
        FileKind::Code,
        FileKind::K8s,
        FileKind::Text,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            FileKind::Sql => "sql",
            FileKind::Docker => "docker",
            FileKind::Compose => "compose",
            FileKind::Env => "env",
            FileKind::Code => "code",
            FileKind::K8s => "k8s",
            FileKind::Text => "text",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// Classification globs used unless the policy's `[files.kinds]` replaces them.
    pub const fn default_globs(self) -> &'static [&'static str] {
        match self {
            // `migration/` (singular) is Flyway's default (`db/migration`,
            // `src/main/resources/db/migration`); `.SQL` and `.pgsql` are common too.
            FileKind::Sql => &[
                "**/migrations/**/*.{sql,SQL,pgsql}",
                "**/migrations/*.{sql,SQL,pgsql}",
                "**/db/migration/**/*.{sql,SQL,pgsql}",
                "**/db/migration/*.{sql,SQL,pgsql}",
            ],
            FileKind::Docker => &[
                "**/Dockerfile",
                "**/dockerfile",
                "**/Dockerfile.*",
                "**/*.Dockerfile",
                "**/*.dockerfile",
                "**/Containerfile",
                "**/Containerfile.*",
                "**/*.Containerfile",
                "**/*.containerfile",
                "**/DOCKERFILE",
            ],
            FileKind::Env => &[
                "**/.env",
                "**/.env.*",
                "**/*.env",
                "**/env.example",
                "**/env.sample",
                "**/env.template",
                "**/env.dist",
            ],
            FileKind::Code => &[
                "**/*.{js,jsx,ts,tsx,mjs,cjs,vue,svelte,astro}",
                "**/*.{py,rb,go,rs}",
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
            FileKind::Text => &[
                "**/docs/**",
                "**/reports/**",
                "**/notes/**",
                "**/incidents/**",
                "**/runbooks/**",
                "**/*.md",
                "**/*.txt",
                "**/*.log",
                // Everything else: every text file is scanned for plaintext secrets (binary files
                // are recognised by content and skipped).
                "**",
            ],
        }
    }

    /// The rule-id prefix of rules that check this kind.
    pub const fn rule_kind(self) -> &'static str {
        match self {
            FileKind::Compose => "docker",
            FileKind::Code => "env",
            FileKind::Text => "secret",
            _ => self.as_str(),
        }
    }

    /// Line-comment marker used for inline suppressions in files of this kind.
    pub const fn comment_markers(self) -> &'static [&'static str] {
        match self {
            FileKind::Sql => &["--", "/*"],
            FileKind::Docker | FileKind::Compose | FileKind::Env | FileKind::K8s => &["#"],
            FileKind::Code => &["//", "/*", "#", "<!--"],
            FileKind::Text => &["<!--", "#", "//"],
        }
    }
}

/// The model a parser produced for one file.
#[derive(Debug)]
pub enum Document {
    Sql(sql::SqlFile),
    Docker(dockerfile::Dockerfile),
    Compose(compose::ComposeFile),
    Env(env::EnvFile),
    Code(env::CodeFile),
    K8s(k8s::K8sFile),
    /// Text files carry no model: rules read `ParsedFile::source`.
    Text,
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

    pub fn env(&self) -> Option<&env::EnvFile> {
        match &self.document {
            Document::Env(env) => Some(env),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&env::CodeFile> {
        match &self.document {
            Document::Code(code) => Some(code),
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

/// Everything the rules see: the parsed files being checked plus the cross-file models built from
/// the context files (migrations, env files, kustomizations). A streamed file is checked in a
/// [`Project::view`] of its own that shares the context's [`Facts`].
#[derive(Debug)]
pub struct Project {
    pub files: Vec<ParsedFile>,
    /// Ordered migration sets, replayed into schema state.
    pub migration_sets: Vec<sql::MigrationSet>,
    pub facts: Arc<Facts>,
}

/// Cross-file facts that per-file rules read, computed once from the context files.
#[derive(Debug, Default)]
pub struct Facts {
    /// Manifests that a `kustomization.yaml` lists as patches (partial objects), by path.
    pub k8s_patches: HashSet<String>,
    /// Env example files, sorted by directory then path, with the keys they document.
    pub env_examples: Vec<EnvExample>,
}

/// One env example file (`.env.example`, `.env.local.example`, ...): what it documents.
#[derive(Debug)]
pub struct EnvExample {
    /// Directory of the file (`""` at the root), `/`-separated.
    pub dir: String,
    pub path: String,
    pub keys: HashSet<String>,
}

/// Whether a file is context: other files' checks depend on its [`Facts`], so it is parsed first.
/// SQL files are checked per migration set and everything else is streamed.
pub fn is_context(kind: FileKind, path: &str) -> bool {
    match kind {
        FileKind::Env => true,
        FileKind::K8s => k8s::is_kustomization_path(path),
        _ => false,
    }
}

impl Facts {
    pub fn from_files(files: &[ParsedFile]) -> Self {
        let k8s_patches = k8s::patch_set(
            files
                .iter()
                .filter_map(|f| f.k8s().map(|k| (f.source.path.as_str(), k))),
        );
        let mut env_examples: Vec<EnvExample> = files
            .iter()
            .filter(|f| env::env_role(&f.source.path) == Some(env::EnvRole::Example))
            .filter_map(|f| {
                let parsed = f.env()?;
                Some(EnvExample {
                    dir: f
                        .source
                        .path
                        .rfind('/')
                        .map_or("", |i| &f.source.path[..i])
                        .to_string(),
                    path: f.source.path.clone(),
                    keys: parsed.entries.iter().map(|e| e.key.clone()).collect(),
                })
            })
            .collect();
        env_examples.sort_by(|a, b| (&a.dir, &a.path).cmp(&(&b.dir, &b.path)));
        Self {
            k8s_patches,
            env_examples,
        }
    }

    /// The example files of the nearest directory at or above `path`'s that has any.
    pub fn nearest_env_examples(&self, path: &str) -> &[EnvExample] {
        let mut dir = path.rfind('/').map_or("", |i| &path[..i]);
        loop {
            let start = self.env_examples.partition_point(|e| e.dir.as_str() < dir);
            let end = start
                + self.env_examples[start..]
                    .iter()
                    .take_while(|e| e.dir == dir)
                    .count();
            if start < end {
                return &self.env_examples[start..end];
            }
            if dir.is_empty() {
                return &[];
            }
            dir = dir.rfind('/').map_or("", |i| &dir[..i]);
        }
    }
}

impl Project {
    pub fn new(files: Vec<ParsedFile>) -> Self {
        let migration_sets = sql::MigrationSet::build_all(&files);
        let facts = Arc::new(Facts::from_files(&files));
        Self {
            files,
            migration_sets,
            facts,
        }
    }

    /// Files checked together against facts computed elsewhere (one migration set, say).
    pub fn with_facts(files: Vec<ParsedFile>, facts: Arc<Facts>) -> Self {
        let migration_sets = sql::MigrationSet::build_all(&files);
        Self {
            files,
            migration_sets,
            facts,
        }
    }

    /// One streamed file, checked alone against the context's facts (its id becomes 0).
    pub fn view(mut file: ParsedFile, facts: Arc<Facts>) -> Self {
        file.id = 0;
        Self {
            files: vec![file],
            migration_sets: Vec::new(),
            facts,
        }
    }

    pub fn file(&self, id: FileId) -> &ParsedFile {
        &self.files[id]
    }
}
