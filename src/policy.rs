//! Policy files (TOML): a raw schema that mirrors the file, resolved into the [`Policy`] the engine uses.
//! Every error points inside the TOML file, with "did you mean" suggestions.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{NamedSource, SourceSpan};
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::document::FileKind;
use crate::finding::{Level, RuleLevel};
use crate::fsread;
use crate::rules::{self, REGISTRY, Rule};

/// Built-in packs, embedded in the binary; the same files are readable examples in `policies/`.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("recommended", include_str!("../policies/recommended.toml")),
    ("strict", include_str!("../policies/strict.toml")),
];

pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// The file name looked up from the current directory upwards.
pub const POLICY_FILE_NAME: &str = "tollgate.toml";

// ---------------------------------------------------------------------------------------------
// Raw schema
// ---------------------------------------------------------------------------------------------

/// A tollgate policy file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(title = "tollgate policy (tollgate.toml)")]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPolicy {
    /// Name shown in reports (default: the file name).
    pub name: Option<String>,
    /// Built-in packs (`recommended`, `strict`) or paths of other policy files, applied first, in order.
    #[schemars(with = "Option<Vec<String>>")]
    pub extends: Option<Vec<Spanned<String>>>,
    /// Which files are scanned and how they are classified.
    pub files: Option<RawFiles>,
    /// Rule levels and options: `[rules.<kind>] <rule-name> = "level"` or `{ level, options }`.
    #[serde(default)]
    #[schemars(schema_with = "json_schema::rules")]
    pub rules: Option<RuleTable>,
    /// Per-path rule levels.
    pub overrides: Option<Vec<RawOverride>>,
    /// Inline suppression settings.
    pub suppressions: Option<RawSuppressions>,
    /// Hard limits that keep hostile input cheap.
    pub limits: Option<RawLimits>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFiles {
    /// Globs a path must match to be scanned (default: everything).
    #[schemars(with = "Option<Vec<String>>")]
    pub include: Option<Vec<Spanned<String>>>,
    /// Globs of paths never scanned (in addition to .gitignore).
    #[schemars(with = "Option<Vec<String>>")]
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Files larger than this many bytes are skipped with a `tollgate/file-too-large` finding.
    pub max_file_size: Option<u64>,
    /// Per-kind classification globs, replacing the defaults: `sql = ["db/**/*.sql"]`.
    #[serde(default)]
    #[schemars(schema_with = "json_schema::file_kinds")]
    pub kinds: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    /// Honour .gitignore, .ignore and git excludes (default true).
    pub gitignore: Option<bool>,
    /// Scan hidden files and directories (default true: `.env.example` is hidden).
    pub hidden: Option<bool>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawOverride {
    /// Globs of paths this override applies to.
    #[schemars(with = "Vec<String>")]
    pub files: Vec<Spanned<String>>,
    /// Rule levels for those paths, as under the top-level `[rules]`.
    #[serde(default)]
    #[schemars(schema_with = "json_schema::rules")]
    pub rules: Option<RuleTable>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSuppressions {
    /// Require `-- <reason>` on every inline suppression (default true).
    pub require_reason: Option<bool>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLimits {
    /// Statements of one SQL file that are checked; the rest get one `tollgate/too-many-statements`
    /// error (default 20000).
    pub max_statements_per_file: Option<usize>,
    /// Findings reported for one file (errors first); the rest are summarised by one
    /// `tollgate/too-many-findings` error (default 500).
    pub max_findings_per_file: Option<usize>,
    /// Deepest nesting of YAML sequences and mappings; a deeper document is a `k8s/parse-error`
    /// (default 128).
    pub yaml_max_depth: Option<usize>,
    /// Most nodes YAML alias expansion may add to one document, against "billion laughs" files; a
    /// document over it is a `k8s/parse-error` (default 100000).
    pub yaml_max_alias_nodes: Option<usize>,
}

// ---------------------------------------------------------------------------------------------
// Resolved policy
// ---------------------------------------------------------------------------------------------

/// Hard limits applied per file by the engine, so one hostile file cannot make a run hang or
/// flood the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_statements_per_file: usize,
    pub max_findings_per_file: usize,
    pub yaml_max_depth: usize,
    pub yaml_max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_statements_per_file: 20_000,
            max_findings_per_file: 500,
            yaml_max_depth: 128,
            yaml_max_alias_nodes: 100_000,
        }
    }
}

#[derive(Debug)]
pub struct FileSettings {
    pub include: Option<GlobSet>,
    pub exclude: GlobSet,
    pub kinds: Vec<(FileKind, GlobSet)>,
    pub max_file_size: u64,
    pub gitignore: bool,
    pub hidden: bool,
}

impl FileSettings {
    /// The kind of a path relative to the scan root, if it is in scope at all.
    pub fn classify(&self, path: &str) -> Option<FileKind> {
        if self.is_excluded(path) {
            return None;
        }
        self.kind_of(path)
    }

    /// Like [`classify`](Self::classify), but when the root-relative path matches no kind (a scan
    /// started inside `supabase/migrations`, say) the file's absolute path is tried too, so
    /// `**/migrations/**` still recognises it. Exclusions apply to the root-relative path.
    pub fn classify_in(&self, rel: &str, absolute: impl FnOnce() -> String) -> Option<FileKind> {
        if self.is_excluded(rel) {
            return None;
        }
        match self.kind_of(rel) {
            // Only the catch-all text kind matched: a more specific kind may match the full path.
            None | Some(FileKind::Text) => self
                .kind_of(&absolute())
                .filter(|kind| *kind != FileKind::Text)
                .or(self.kind_of(rel)),
            specific => specific,
        }
    }

    /// The most specific kind any of `candidates` (ways to name one file) classifies as: the
    /// first that is not the catch-all text kind, else text if any matched.
    pub fn classify_best<'a>(
        &self,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<FileKind> {
        let mut fallback = None;
        for candidate in candidates {
            match self.classify(candidate) {
                Some(FileKind::Text) => fallback = Some(FileKind::Text),
                Some(kind) => return Some(kind),
                None => {}
            }
        }
        fallback
    }

    fn is_excluded(&self, path: &str) -> bool {
        self.exclude.is_match(path) || self.include.as_ref().is_some_and(|inc| !inc.is_match(path))
    }

    fn kind_of(&self, path: &str) -> Option<FileKind> {
        self.kinds
            .iter()
            .find(|(_, globs)| globs.is_match(path))
            .map(|(kind, _)| *kind)
    }
}

/// A rule instance with its configured level (`off` rules are kept: an override may turn them on).
#[derive(Debug)]
pub struct ConfiguredRule {
    pub rule: Box<dyn Rule>,
    pub level: RuleLevel,
}

#[derive(Debug)]
pub struct Override {
    pub files: GlobSet,
    /// The globs as written, for reports.
    pub patterns: Vec<String>,
    pub levels: HashMap<&'static str, RuleLevel>,
}

#[derive(Debug)]
pub struct Policy {
    pub name: String,
    /// Where it came from: a path, or `built-in` for the default.
    pub origin: String,
    /// SHA-256 (first 16 hex chars) over every layer's text, for the governance report.
    pub hash: String,
    pub files: FileSettings,
    pub rules: Vec<ConfiguredRule>,
    pub overrides: Vec<Override>,
    pub require_reason: bool,
    pub limits: Limits,
    /// The built-in default (no policy file): only [`Policy::recommended`] sets it, so no file can
    /// pass for it whatever its `name`.
    pub builtin: bool,
    /// How this policy is weaker than the `recommended` pack: a rule of the pack turned off or
    /// lowered (top level or in an override), a limit lowered, reasons not required. Reports show it
    /// as "policy weakened: …" with the policy's origin and hash.
    pub weakened: Vec<String>,
}

impl Policy {
    /// The level a finding of `rule` in `path` is reported at, or `None` when the rule is off there.
    pub fn level_for(&self, rule: &str, path: &str) -> Option<Level> {
        let mut level = self
            .rules
            .iter()
            .find(|r| r.rule.meta().id == rule)
            .map(|r| r.level)?;
        for o in &self.overrides {
            if let Some(l) = o.levels.get(rule).filter(|_| o.files.is_match(path)) {
                level = *l;
            }
        }
        level.level()
    }

    /// Rules that can produce a finding anywhere (on at top level or in some override).
    pub fn enabled_rules(&self) -> impl Iterator<Item = &ConfiguredRule> {
        self.rules.iter().filter(move |r| {
            r.level != RuleLevel::Off
                || self.overrides.iter().any(|o| {
                    o.levels
                        .get(r.rule.meta().id)
                        .is_some_and(|l| *l != RuleLevel::Off)
                })
        })
    }

    /// The default policy: the `recommended` pack.
    pub fn recommended() -> Self {
        let mut layers = Vec::new();
        // The built-in packs are tested to load; failing here would be a build defect.
        load_layers(
            "recommended.toml",
            "extends = [\"recommended\"]\nname = \"recommended (built-in)\"\n",
            None,
            None,
            &mut layers,
            0,
        )
        .and_then(|()| resolve("recommended.toml", &layers))
        .map(|mut p| {
            p.origin = "built-in".into();
            p.builtin = true;
            p
        })
        .unwrap_or_else(|e| panic!("built-in recommended pack is invalid: {e}"))
    }

    /// Records how a user's policy is weaker than `recommended`, and keeps its name from passing
    /// for the built-in one.
    fn audited(mut self) -> Self {
        let base = Self::recommended();
        self.weakened = self.weakened_against(&base);
        let lower = self.name.to_ascii_lowercase();
        if lower.contains("built-in") || lower.contains("builtin") {
            self.name = format!("{} (not built-in: {})", self.name, self.origin);
        }
        self
    }

    /// What `self` turns off or lowers compared with `base`, in registry order.
    pub fn weakened_against(&self, base: &Policy) -> Vec<String> {
        let mut out = Vec::new();
        let base_level = |id: &str| {
            base.rules
                .iter()
                .find(|r| r.rule.meta().id == id)
                .map(|r| r.level)
        };
        let describe = |level: RuleLevel| match level.level() {
            None => "off".to_string(),
            Some(l) => format!("lowered to {l}"),
        };
        for r in &self.rules {
            let id = r.rule.meta().id;
            let Some(b) = base_level(id).and_then(RuleLevel::level) else {
                continue;
            };
            if r.level.level().is_none_or(|l| l < b) {
                out.push(format!("`{id}` {} (recommended: {b})", describe(r.level)));
            }
        }
        for o in &self.overrides {
            let mut ids: Vec<(&&str, &RuleLevel)> = o.levels.iter().collect();
            ids.sort_by_key(|(id, _)| **id);
            for (id, level) in ids {
                let Some(b) = base_level(id).and_then(RuleLevel::level) else {
                    continue;
                };
                if level.level().is_none_or(|l| l < b) {
                    out.push(format!(
                        "`{id}` {} for `{}` (recommended: {b})",
                        describe(*level),
                        o.patterns
                            .iter()
                            .map(|p| inert(p))
                            .collect::<Vec<_>>()
                            .join("`, `")
                    ));
                }
            }
        }
        let (mine, theirs) = (&self.limits, &base.limits);
        for (key, mine, theirs) in [
            (
                "files.max-file-size",
                self.files.max_file_size,
                base.files.max_file_size,
            ),
            (
                "limits.max-statements-per-file",
                mine.max_statements_per_file as u64,
                theirs.max_statements_per_file as u64,
            ),
            (
                "limits.max-findings-per-file",
                mine.max_findings_per_file as u64,
                theirs.max_findings_per_file as u64,
            ),
        ] {
            if mine < theirs {
                out.push(format!("`{key}` lowered to {mine} (default {theirs})"));
            }
        }
        if !self.require_reason && base.require_reason {
            out.push("`suppressions.require-reason = false` (waivers need no reason)".into());
        }
        out
    }

    /// Loads a policy the user named on the command line: it may extend files anywhere.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        Self::load_from(path, PolicySource::CommandLine)
    }

    /// Loads a policy file. A discovered one is repository content: it and everything it extends
    /// must resolve inside its own directory (see [`crate::fsread`]).
    pub fn load_from(path: &Path, source: PolicySource) -> Result<Self, PolicyError> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let confine = match source {
            PolicySource::CommandLine => None,
            PolicySource::Discovered => Some(dir),
        };
        let text = fsread::read_config(path, to_confine(confine), fsread::MAX_CONFIG_SIZE)
            .map_err(|e| PolicyError::plain(&path.display().to_string(), e.to_string()))?;
        let name = path.display().to_string();
        let mut layers = Vec::new();
        load_layers(&name, &text, Some(dir), confine, &mut layers, 0)?;
        resolve(&name, &layers).map(Self::audited)
    }

    /// Finds `tollgate.toml` in `start` or its ancestors. Anything by that name counts (a FIFO, a
    /// dangling symlink), so that loading it fails loudly instead of silently using the default.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(POLICY_FILE_NAME))
            .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir()))
    }

    pub fn from_str(name: &str, text: &str, base_dir: Option<&Path>) -> Result<Self, PolicyError> {
        let mut layers = Vec::new();
        load_layers(name, text, base_dir, None, &mut layers, 0)?;
        resolve(name, &layers).map(Self::audited)
    }
}

/// Where a policy file came from, which decides what it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySource {
    /// `--policy <path>`: trusted like any other command-line argument.
    CommandLine,
    /// Found as `tollgate.toml` in the repository: repository content, confined to its directory.
    Discovered,
}

impl PolicySource {
    /// `CommandLine` when a `--policy` path was given, else `Discovered`.
    pub fn of(explicit: Option<&Path>) -> Self {
        if explicit.is_some() {
            Self::CommandLine
        } else {
            Self::Discovered
        }
    }
}

/// User text (a glob) made safe to quote in a code span of any report: no backtick, no control
/// character.
fn inert(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '`' { '?' } else { c })
        .collect()
}

fn to_confine(root: Option<&Path>) -> fsread::Confine<'_> {
    root.map_or(fsread::Confine::Anywhere, fsread::Confine::Within)
}

/// One parsed policy file (a pack or the user's file) with its source for error rendering.
struct Layer {
    source: NamedSource<String>,
    text: String,
    raw: RawPolicy,
}

/// `confine`: the directory every extended file must stay inside, when the root policy was
/// discovered in the repository rather than named with `--policy`.
fn load_layers(
    name: &str,
    text: &str,
    base_dir: Option<&Path>,
    confine: Option<&Path>,
    layers: &mut Vec<Layer>,
    depth: usize,
) -> Result<(), PolicyError> {
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let span = e.span().map(|r| {
            SourceSpan::from(r.start..r.end.max(r.start + 1).min(text.len().max(r.start)))
        });
        PolicyError::at(
            name,
            text,
            span,
            e.message().to_string(),
            "here",
            unknown_field_help(e.message()),
        )
    })?;
    for extend in raw.extends.iter().flatten() {
        let span = extend.span();
        if depth > 8 {
            return Err(PolicyError::at(
                name,
                text,
                Some(span.into()),
                "`extends` nests too deeply (cycle?)".into(),
                "here",
                None,
            ));
        }
        let target = extend.get_ref();
        if let Some((pack_name, pack_text)) = BUILTIN_PACKS.iter().find(|(n, _)| n == target) {
            load_layers(
                &format!("{pack_name} (built-in)"),
                pack_text,
                None,
                None,
                layers,
                depth + 1,
            )?;
        } else if target.ends_with(".toml") {
            let path = base_dir.map_or_else(|| PathBuf::from(target), |dir| dir.join(target));
            if let Some(root) = confine {
                if !fsread::lexically_inside(root, &path) {
                    return Err(PolicyError::at(
                        name,
                        text,
                        Some(span.into()),
                        format!("`extends` path `{target}` is outside the repository"),
                        "extended here",
                        Some(
                            "a policy found in the repository may only extend files inside it; \
                             copy the file in, or pass the policy with --policy"
                                .into(),
                        ),
                    ));
                }
            }
            let sub = fsread::read_config(&path, to_confine(confine), fsread::MAX_CONFIG_SIZE)
                .map_err(|e| {
                    PolicyError::at(
                        name,
                        text,
                        Some(span.into()),
                        format!("cannot use extended policy: {e}"),
                        "extended here",
                        None,
                    )
                })?;
            load_layers(
                &path.display().to_string(),
                &sub,
                path.parent(),
                confine,
                layers,
                depth + 1,
            )?;
        } else {
            let known: Vec<&str> = BUILTIN_PACKS.iter().map(|(n, _)| *n).collect();
            let help = did_you_mean(target, known.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| {
                    Some(format!(
                        "built-in packs: {}; or a path ending in .toml",
                        known.join(", ")
                    ))
                });
            return Err(PolicyError::at(
                name,
                text,
                Some(span.into()),
                format!("unknown policy pack `{target}`"),
                "not a built-in pack",
                help,
            ));
        }
    }
    layers.push(Layer {
        source: NamedSource::new(name, text.to_string()),
        text: text.to_string(),
        raw,
    });
    Ok(())
}

fn resolve(name: &str, layers: &[Layer]) -> Result<Policy, PolicyError> {
    let mut hasher = Sha256::new();
    let mut policy_name = None;
    let mut include = None;
    let mut exclude = Vec::new();
    let mut kinds: BTreeMap<FileKind, Vec<String>> = FileKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                k.default_globs().iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect();
    let mut max_file_size = DEFAULT_MAX_FILE_SIZE;
    let mut gitignore = true;
    let mut hidden = true;
    let mut require_reason = true;
    let mut limits = Limits::default();
    let mut settings: HashMap<&'static str, (RuleLevel, Option<toml::Value>)> = HashMap::new();
    let mut overrides = Vec::new();

    for layer in layers {
        hasher.update(layer.text.as_bytes());
        let err =
            |span: std::ops::Range<usize>, message: String, label: &str, help: Option<String>| {
                PolicyError::at_source(
                    layer.source.clone(),
                    Some(span.into()),
                    message,
                    label,
                    help,
                )
            };
        if let Some(n) = &layer.raw.name {
            policy_name = Some(n.clone());
        }
        if let Some(files) = &layer.raw.files {
            if let Some(globs) = &files.include {
                include = Some(compile_globs(globs, &err)?);
            }
            if let Some(globs) = &files.exclude {
                exclude.extend(globs.iter().cloned());
                compile_globs(globs, &err)?;
            }
            if let Some(size) = files.max_file_size {
                max_file_size = size;
            }
            gitignore = files.gitignore.unwrap_or(gitignore);
            hidden = files.hidden.unwrap_or(hidden);
            for (kind_name, globs) in files.kinds.iter().flatten() {
                let Some(kind) = FileKind::from_name(kind_name.get_ref()) else {
                    let names = FileKind::ALL.iter().map(|k| k.as_str());
                    let help = did_you_mean(kind_name.get_ref(), names.clone())
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| {
                            Some(format!(
                                "file kinds: {}",
                                names.collect::<Vec<_>>().join(", ")
                            ))
                        });
                    return Err(err(
                        kind_name.span(),
                        format!("unknown file kind `{}`", kind_name.get_ref()),
                        "unknown kind",
                        help,
                    ));
                };
                compile_globs(globs, &err)?;
                kinds.insert(kind, globs.iter().map(|g| g.get_ref().clone()).collect());
            }
        }
        if let Some(s) = &layer.raw.suppressions {
            require_reason = s.require_reason.unwrap_or(require_reason);
        }
        if let Some(l) = &layer.raw.limits {
            let d = &mut limits;
            d.max_statements_per_file = l
                .max_statements_per_file
                .unwrap_or(d.max_statements_per_file);
            d.max_findings_per_file = l.max_findings_per_file.unwrap_or(d.max_findings_per_file);
            d.yaml_max_depth = l.yaml_max_depth.unwrap_or(d.yaml_max_depth);
            d.yaml_max_alias_nodes = l.yaml_max_alias_nodes.unwrap_or(d.yaml_max_alias_nodes);
        }
        for (id, level, options) in rule_settings(layer.raw.rules.as_ref(), &err)? {
            let entry = settings.entry(id).or_insert((level, None));
            entry.0 = level;
            if options.is_some() {
                entry.1 = options;
            }
        }
        for o in layer.raw.overrides.iter().flatten() {
            let files = compile_globs(&o.files, &err)?;
            let mut levels = HashMap::new();
            for (id, level, options) in rule_settings(o.rules.as_ref(), &err)? {
                if options.is_some() {
                    // Options are per rule instance; overrides change levels only.
                    let span = o.files.first().map_or(0..0, |f| f.span());
                    return Err(err(
                        span,
                        format!(
                            "`[[overrides]]` for `{id}` sets options; overrides can only change levels"
                        ),
                        "in this override",
                        Some("move the options to the top-level [rules] table".into()),
                    ));
                }
                levels.insert(id, level);
            }
            let patterns = o.files.iter().map(|g| g.get_ref().clone()).collect();
            overrides.push(Override {
                files,
                patterns,
                levels,
            });
        }
    }

    let mut rules = Vec::with_capacity(REGISTRY.len());
    for entry in REGISTRY {
        let (level, options) = settings
            .remove(entry.meta.id)
            .unwrap_or((entry.meta.default_level, None));
        let rule = (entry.build)(options).map_err(|message| {
            let (layer, span) = find_rule_span(layers, entry.meta.id);
            let help = unknown_field_help(&message);
            PolicyError::at_source(
                layer,
                span,
                format!("invalid options for `{}`: {message}", entry.meta.id),
                "these options",
                help,
            )
        })?;
        rules.push(ConfiguredRule { rule, level });
    }

    let hash: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let kinds = kinds
        .into_iter()
        .map(|(kind, globs)| {
            Ok((
                kind,
                build_globset(globs.iter().map(String::as_str))
                    .map_err(|e| PolicyError::plain(name, e))?,
            ))
        })
        .collect::<Result<Vec<_>, PolicyError>>()?;
    let exclude = build_globset(exclude.iter().map(|g| g.get_ref().as_str()))
        .map_err(|e| PolicyError::plain(name, e))?;
    Ok(Policy {
        name: policy_name.unwrap_or_else(|| name.to_string()),
        origin: name.to_string(),
        hash,
        files: FileSettings {
            include,
            exclude,
            kinds,
            max_file_size,
            gitignore,
            hidden,
        },
        rules,
        overrides,
        require_reason,
        limits,
        builtin: false,
        weakened: Vec::new(),
    })
}

type ErrFn<'a> = dyn Fn(std::ops::Range<usize>, String, &str, Option<String>) -> PolicyError + 'a;

/// A rule id with its configured level and options.
type RuleSetting = (&'static str, RuleLevel, Option<toml::Value>);

pub type RuleTable = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>;

/// Validates `[rules.<kind>]` tables: known kinds and rule names, valid levels, options tables.
fn rule_settings(
    table: Option<&RuleTable>,
    err: &ErrFn<'_>,
) -> Result<Vec<RuleSetting>, PolicyError> {
    let mut out = Vec::new();
    for (kind, entries) in table.into_iter().flatten() {
        let kind_name = kind.get_ref();
        if !REGISTRY.iter().any(|e| e.meta.kind() == kind_name) {
            let mut kinds: Vec<&str> = REGISTRY.iter().map(|e| e.meta.kind()).collect();
            kinds.dedup();
            let help = did_you_mean(kind_name, kinds.iter().copied())
                .map(|s| format!("did you mean `[rules.{s}]`?"))
                .or_else(|| Some(format!("rule kinds: {}", kinds.join(", "))));
            return Err(err(
                kind.span(),
                format!("unknown rule kind `{kind_name}`"),
                "unknown kind",
                help,
            ));
        }
        for (name, value) in entries {
            let id = format!("{kind_name}/{}", name.get_ref());
            let Some(entry) = rules::lookup(&id) else {
                let help = rules::suggest(&id)
                    .map(|s| {
                        format!(
                            "did you mean `{}`?",
                            s.split_once('/').map_or(s, |(_, n)| n)
                        )
                    })
                    .or_else(|| Some("`tollgate rules` lists every rule".into()));
                return Err(err(
                    name.span(),
                    format!("unknown rule `{id}`"),
                    "unknown rule",
                    help,
                ));
            };
            let (level, options) = match value.get_ref() {
                toml::Value::String(s) => (parse_level(s, value.span(), err)?, None),
                toml::Value::Table(t) => {
                    if let Some(key) = t.keys().find(|k| *k != "level" && *k != "options") {
                        let help = did_you_mean(key, ["level", "options"].into_iter())
                            .map(|s| format!("did you mean `{s}`?"));
                        return Err(err(
                            value.span(),
                            format!("unknown key `{key}` in the setting for `{id}`"),
                            "expected `level` and/or `options`",
                            help,
                        ));
                    }
                    let level = match t.get("level") {
                        Some(toml::Value::String(s)) => parse_level(s, value.span(), err)?,
                        Some(_) => {
                            return Err(err(
                                value.span(),
                                "`level` must be a string".into(),
                                "here",
                                None,
                            ));
                        }
                        None => entry.meta.default_level,
                    };
                    let options = match t.get("options") {
                        Some(opts @ toml::Value::Table(_)) => Some(opts.clone()),
                        Some(_) => {
                            return Err(err(
                                value.span(),
                                "`options` must be a table".into(),
                                "here",
                                None,
                            ));
                        }
                        None => None,
                    };
                    if let Some(opts) = &options {
                        (entry.build)(Some(opts.clone())).map_err(|message| {
                            let help = unknown_field_help(&message);
                            err(
                                value.span(),
                                format!("invalid options for `{id}`: {message}"),
                                "these options",
                                help,
                            )
                        })?;
                    }
                    (level, options)
                }
                _ => {
                    return Err(err(
                        value.span(),
                        format!("invalid setting for `{id}`"),
                        "expected a level string or a table",
                        Some("write `\"error\"`, `\"warning\"`, `\"note\"`, `\"off\"` or `{ level = \"error\", options = { … } }`".into()),
                    ));
                }
            };
            out.push((entry.meta.id, level, options));
        }
    }
    Ok(out)
}

fn parse_level(
    s: &str,
    span: std::ops::Range<usize>,
    err: &ErrFn<'_>,
) -> Result<RuleLevel, PolicyError> {
    RuleLevel::parse(s).ok_or_else(|| {
        let help = did_you_mean(s, ["error", "warning", "note", "off"].into_iter())
            .map(|x| format!("did you mean `{x}`?"))
            .or_else(|| Some("levels: error, warning, note, off".into()));
        err(span, format!("unknown level `{s}`"), "unknown level", help)
    })
}

fn find_rule_span(layers: &[Layer], id: &str) -> (NamedSource<String>, Option<SourceSpan>) {
    let (kind, name) = id.split_once('/').unwrap_or((id, id));
    for layer in layers.iter().rev() {
        let found = layer.raw.rules.as_ref().and_then(|t| {
            t.iter()
                .find(|(k, _)| k.get_ref() == kind)
                .and_then(|(_, e)| e.iter().find(|(n, _)| n.get_ref() == name))
                .map(|(_, v)| v.span())
        });
        if let Some(span) = found {
            return (layer.source.clone(), Some(span.into()));
        }
    }
    (
        layers.last().map_or_else(
            || NamedSource::new("policy", String::new()),
            |l| l.source.clone(),
        ),
        None,
    )
}

fn compile_globs(globs: &[Spanned<String>], err: &ErrFn<'_>) -> Result<GlobSet, PolicyError> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = glob(g.get_ref()).map_err(|e| {
            err(
                g.span(),
                format!("invalid glob `{}`: {e}", g.get_ref()),
                "invalid glob",
                None,
            )
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| {
        err(
            globs.first().map_or(0..0, |g| g.span()),
            e.to_string(),
            "here",
            None,
        )
    })
}

/// Globs match paths relative to the scan root with `/` separators; `*` does not cross `/`.
pub fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

pub fn build_globset<'a>(patterns: impl Iterator<Item = &'a str>) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        builder.add(glob(p).map_err(|e| e.to_string())?);
    }
    builder.build().map_err(|e| e.to_string())
}

fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// serde says "unknown field `x`, expected one of `a`, `b`": turn that into "did you mean `a`?".
fn unknown_field_help(message: &str) -> Option<String> {
    let field = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected: Vec<&str> = message
        .split("expected ")
        .nth(1)?
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    did_you_mean(field, expected.iter().copied())
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some(format!("expected one of: {}", expected.join(", "))))
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A policy that cannot be used; rendered by miette pointing inside the TOML file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(tollgate::policy))]
pub struct PolicyError {
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl PolicyError {
    fn at(
        name: &str,
        text: &str,
        span: Option<SourceSpan>,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Self {
        Self::at_source(
            NamedSource::new(name, text.to_string()),
            span,
            message,
            label,
            help,
        )
    }

    fn at_source(
        source: NamedSource<String>,
        span: Option<SourceSpan>,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Self {
        Self {
            message,
            source_code: source,
            span,
            label: label.to_string(),
            help,
        }
    }

    fn plain(name: &str, message: String) -> Self {
        Self::at(name, "", None, message, "", None)
    }
}

/// Schemas of the parts of [`RawPolicy`] that come from the registry rather than from a type:
/// rule tables and kind globs.
mod json_schema {
    use schemars::{Schema, SchemaGenerator, json_schema};
    use serde_json::{Map, Value, json};

    use crate::document::FileKind;
    use crate::rules::REGISTRY;

    const LEVELS: [&str; 6] = ["error", "warning", "warn", "note", "info", "off"];

    /// `[rules.<kind>]` tables: known kinds, known rule names, a level or `{ level, options }`.
    pub fn rules(generator: &mut SchemaGenerator) -> Schema {
        let mut kinds: Vec<&str> = REGISTRY.iter().map(|e| e.meta.kind()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let level = json!({
            "type": "string",
            "enum": LEVELS,
            "description": "Level of the rule's findings; `off` disables it.",
        });
        let mut kind_props = Map::new();
        for kind in kinds {
            let mut rule_props = Map::new();
            for entry in REGISTRY.iter().filter(|e| e.meta.kind() == kind) {
                let meta = entry.meta;
                let options = options_schema(entry, generator);
                let description = format!(
                    "{} (default `{}`). {}",
                    meta.summary,
                    meta.default_level.as_str(),
                    meta.docs_url()
                );
                rule_props.insert(
                    meta.name().to_string(),
                    json!({
                        "description": description,
                        "anyOf": [
                            level,
                            {
                                "type": "object",
                                "additionalProperties": false,
                                "properties": {
                                    "level": level,
                                    "options": options,
                                },
                            },
                        ],
                    }),
                );
            }
            kind_props.insert(
                kind.to_string(),
                json!({
                    "type": "object",
                    "description": format!("Rules of kind `{kind}`."),
                    "additionalProperties": false,
                    "properties": Value::Object(rule_props),
                }),
            );
        }
        json_schema!({
            "type": "object",
            "additionalProperties": false,
            "properties": Value::Object(kind_props),
        })
    }

    /// A rule's `options` table, from the rule struct's own schema (field types and `///` docs);
    /// the struct's doc comment is the rule's whole documentation, too long for a tooltip.
    fn options_schema(entry: &crate::rules::RuleEntry, generator: &mut SchemaGenerator) -> Value {
        let mut schema = (entry.options_schema)(generator).to_value();
        if let Some(obj) = schema.as_object_mut() {
            obj.remove("title");
            obj.insert(
                "description".into(),
                format!(
                    "Options of `{}` (kebab-case); `tollgate explain {}` documents them.",
                    entry.meta.id, entry.meta.id
                )
                .into(),
            );
            obj.entry("properties").or_insert_with(|| json!({}));
        }
        schema
    }

    /// `[files.kinds]`: per-kind classification globs.
    pub fn file_kinds(_: &mut SchemaGenerator) -> Schema {
        let mut props = Map::new();
        for kind in FileKind::ALL {
            props.insert(
                kind.as_str().to_string(),
                json!({
                    "type": "array",
                    "items": { "type": "string" },
                    "description": format!("Globs classifying `{}` files (default: {}).", kind.as_str(), kind.default_globs().join(", ")),
                }),
            );
        }
        json_schema!({
            "type": "object",
            "additionalProperties": false,
            "properties": Value::Object(props),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_load() {
        for (name, _) in BUILTIN_PACKS {
            let p = Policy::from_str("t.toml", &format!("extends = [\"{name}\"]"), None).unwrap();
            assert_eq!(p.name, *name);
            assert_eq!(p.level_for("sql/require-rls", "a.sql"), Some(Level::Error));
        }
        assert_eq!(Policy::recommended().origin, "built-in");
    }

    #[test]
    fn overrides_change_levels_per_path() {
        let p = Policy::from_str(
            "t.toml",
            "[rules.sql]\nrequire-rls = \"warning\"\n[[overrides]]\nfiles = [\"legacy/**\"]\n[overrides.rules.sql]\nrequire-rls = \"off\"\n",
            None,
        )
        .unwrap();
        assert_eq!(
            p.level_for("sql/require-rls", "db/migrations/1.sql"),
            Some(Level::Warning)
        );
        assert_eq!(
            p.level_for("sql/require-rls", "legacy/migrations/1.sql"),
            None
        );
    }

    #[test]
    fn classification_defaults_and_overrides() {
        let p = Policy::recommended();
        assert_eq!(
            p.files.classify("supabase/migrations/0001_init.sql"),
            Some(FileKind::Sql)
        );
        assert_eq!(
            p.files.classify("migrations/0001_init.sql"),
            Some(FileKind::Sql)
        );
        // Outside a migrations directory a .sql file is only scanned for secrets.
        assert_eq!(p.files.classify("src/query.sql"), Some(FileKind::Text));
        let p = Policy::from_str(
            "t.toml",
            "[files]\nexclude = [\"old/**\"]\n[files.kinds]\nsql = [\"db/*.sql\"]\n",
            None,
        )
        .unwrap();
        assert_eq!(p.files.classify("db/1.sql"), Some(FileKind::Sql));
        // Replacing the sql globs leaves the migration to the catch-all text kind.
        assert_eq!(
            p.files.classify("supabase/migrations/1.sql"),
            Some(FileKind::Text)
        );
        assert_eq!(p.files.classify("old/db/1.sql"), None);
    }

    fn error(text: &str) -> PolicyError {
        Policy::from_str("tollgate.toml", text, None).unwrap_err()
    }

    #[test]
    fn errors_point_at_the_place_with_suggestions() {
        let e = error("[rules.sql]\nrequire-rsl = \"error\"\n");
        assert_eq!(e.message, "unknown rule `sql/require-rsl`");
        assert_eq!(e.span, Some(SourceSpan::from(12..23)));
        assert_eq!(e.help.as_deref(), Some("did you mean `require-rls`?"));

        let e = error("[rules.sql]\nrequire-rls = \"eror\"\n");
        assert_eq!(e.help.as_deref(), Some("did you mean `error`?"));

        let e = error("[files]\nexclud = []\n");
        assert!(
            e.message.contains("unknown field `exclud`"),
            "{}",
            e.message
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `exclude`?"));

        let e = error(
            "[rules.sql]\nrequire-rls = { level = \"error\", options = { schema = [\"api\"] } }\n",
        );
        assert!(
            e.message
                .starts_with("invalid options for `sql/require-rls`: unknown field `schema`"),
            "{}",
            e.message
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `schemas`?"));

        let e = error("extends = [\"recomended\"]\n");
        assert_eq!(e.help.as_deref(), Some("did you mean `recommended`?"));

        let e = error("[rules.sqll]\n");
        assert_eq!(e.help.as_deref(), Some("did you mean `[rules.sql]`?"));

        let e = error("[files]\nexclude = [\"a/[\"]\n");
        assert!(e.message.starts_with("invalid glob"), "{}", e.message);
    }
}
