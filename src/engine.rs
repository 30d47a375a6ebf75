//! The only place that orchestrates: discover → read → parse → check → suppress → sorted report.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::discover::{self, Input};
use crate::document::{
    self, Document, Facts, FileKind, ParsedFile, Project, compose, dockerfile, env, k8s, sql,
};
use crate::finding::{Diagnostic, FileId, Finding, Related, fingerprint};
use crate::outcome::Report;
use crate::policy::{Limits, Policy};
use crate::rules;
use crate::source::{SourceFile, Span};
use crate::suppress::{self, Scope, Suppressed};

#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// A diagnostic tagged with the rule that produced it.
type Tagged = (&'static str, Diagnostic);

pub fn run(policy: &Policy, options: &Options) -> Report {
    let started = Instant::now();
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let work = || run_in_pool(policy, options, threads);
    let mut report = match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    report.elapsed = started.elapsed();
    report
}

/// Three kinds of work, so memory stays flat in the size of the repository:
/// 1. context files (env files, kustomizations: what other files' checks depend on) are parsed
///    first; their [`Facts`] are shared with everything else;
/// 2. each migration set (the files of one `migrations` directory) is parsed, replayed and checked
///    as a project of its own, then dropped;
/// 3. every other file is streamed: read, parsed, checked against the facts, stamped and
///    suppressed on a worker, and dropped.
///
/// What is kept is findings, and the text of files that have findings (reporters show snippets).
fn run_in_pool(policy: &Policy, options: &Options, threads: usize) -> Report {
    let (inputs, walk_problems) = discover::discover(&options.paths, &policy.files, threads);
    let mut context: Vec<&Input> = Vec::new();
    let mut sets: BTreeMap<String, Vec<&Input>> = BTreeMap::new();
    let mut streamed: Vec<&Input> = Vec::new();
    for input in &inputs {
        if input.kind == FileKind::Sql {
            sets.entry(sql::set_key(&input.path))
                .or_default()
                .push(input);
        } else if document::is_context(input.kind, &input.path) {
            context.push(input);
        } else {
            streamed.push(input);
        }
    }

    let mut out = Checked::default();
    for problem in walk_problems {
        let source = SourceFile::new(problem.path.clone(), &problem.path, "");
        out.early.push((
            source,
            "tollgate/read-error",
            Diagnostic::new(0, Span::empty(0), problem.message),
        ));
    }
    let facts = check_group(policy, &context, None, &mut out);
    let groups: Vec<Checked> = sets
        .par_iter()
        .map(|(_, set)| {
            let mut group = Checked::default();
            check_group(policy, set, Some(facts.clone()), &mut group);
            group
        })
        .collect();
    for group in groups {
        out.absorb(group);
    }

    let enabled: Vec<&dyn rules::Rule> = policy.enabled_rules().map(|r| r.rule.as_ref()).collect();
    let today = suppress::today();
    let results: Vec<Streamed> = streamed
        .par_iter()
        .map(|input| stream_one(policy, &enabled, input, &facts, today))
        .collect();
    for result in results {
        match result {
            Streamed::Binary => out.binary_skipped += 1,
            Streamed::Failed(source, rule, diag) => out.early.push((source, rule, diag)),
            Streamed::Checked(file) => {
                out.findings.extend(file.findings);
                out.suppressed.extend(file.suppressed);
                if let Some(text) = file.text {
                    if !file.redactions.is_empty() {
                        out.redactions.insert(file.path.clone(), file.redactions);
                    }
                    out.sources.insert(file.path.clone(), text);
                }
                out.files.push((file.path, file.kind));
            }
        }
    }

    let Checked {
        mut findings,
        mut suppressed,
        redactions,
        mut sources,
        mut files,
        early,
        binary_skipped,
    } = out;
    let internal_errors = early
        .iter()
        .filter(|(_, rule, _)| *rule == INTERNAL_ERROR)
        .count()
        + findings.iter().filter(|f| f.rule == INTERNAL_ERROR).count();
    for (source, rule, diag) in early {
        sources.insert(source.path.clone(), source.text.clone());
        if policy.level_for(rule, &source.path).is_some() {
            findings.extend(stamp(policy, &source, &[], rule, &diag, 0));
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    suppressed.sort();
    files.sort();
    Report {
        findings,
        suppressed,
        files,
        policy_name: policy.name.clone(),
        policy_origin: policy.origin.clone(),
        policy_hash: policy.hash.clone(),
        policy_builtin: policy.builtin,
        policy_weakened: policy.weakened.clone(),
        rules: policy.enabled_rules().map(|r| r.rule.meta().id).collect(),
        elapsed: Duration::ZERO,
        sources,
        internal_errors,
        redactions,
        baseline: None,
        baselined: Vec::new(),
        scope: None,
        binary_skipped,
    }
}

/// What checking some files left: their findings, and the texts of files that have findings.
#[derive(Default)]
struct Checked {
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    redactions: HashMap<String, Vec<Span>>,
    sources: HashMap<String, Arc<str>>,
    files: Vec<(String, FileKind)>,
    /// Files that could not be parsed, and panics outside any file: stamped at the end.
    early: Vec<(SourceFile, &'static str, Diagnostic)>,
    binary_skipped: usize,
}

impl Checked {
    fn absorb(&mut self, other: Checked) {
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.redactions.extend(other.redactions);
        self.sources.extend(other.sources);
        self.files.extend(other.files);
        self.early.extend(other.early);
        self.binary_skipped += other.binary_skipped;
    }
}

/// Parses `inputs` into one project (with `facts`, or facts computed from these files), runs every
/// rule over it, and records the result in `out`. Returns the project's facts.
fn check_group(
    policy: &Policy,
    inputs: &[&Input],
    facts: Option<Arc<Facts>>,
    out: &mut Checked,
) -> Arc<Facts> {
    let loaded: Vec<Loaded> = inputs
        .par_iter()
        .map(|input| load_guarded(input, policy))
        .collect();
    let mut files = Vec::with_capacity(loaded.len());
    let mut parse_diags: Vec<Tagged> = Vec::new();
    for item in loaded {
        match item {
            Loaded::Parsed {
                kind,
                source,
                document,
                diagnostics,
            } => {
                let id = files.len();
                parse_diags.extend(
                    diagnostics
                        .into_iter()
                        .map(|(rule, span, message)| (rule, Diagnostic::new(id, span, message))),
                );
                files.push(ParsedFile {
                    id,
                    kind,
                    source,
                    document,
                });
            }
            Loaded::Failed {
                source,
                rule,
                span,
                message,
            } => out
                .early
                .push((source, rule, Diagnostic::new(0, span, message))),
            Loaded::Binary => out.binary_skipped += 1,
        }
    }
    let built = guard::catch(|| match facts.clone() {
        Some(facts) => Project::with_facts(files, facts),
        None => Project::new(files),
    });
    let project = match built {
        Ok(project) => project,
        // `files` moved into the panicking call; nothing is left to check.
        Err(place) => {
            out.early.push((
                SourceFile::new("(project)", "", ""),
                INTERNAL_ERROR,
                Diagnostic::new(
                    0,
                    Span::empty(0),
                    internal_error_message("building the migration sets", &place),
                ),
            ));
            return facts.unwrap_or_default();
        }
    };
    let Evaluated {
        findings,
        suppressed,
        redactions,
        project_panics,
    } = evaluate(policy, &project, parse_diags);
    for (rule, place) in project_panics {
        out.early.push((
            SourceFile::new("(project)", "", ""),
            INTERNAL_ERROR,
            Diagnostic::new(
                0,
                Span::empty(0),
                internal_error_message(&format!("running {rule} over the project"), &place),
            ),
        ));
    }
    // Texts reporters may show: files with findings and the targets of their related locations.
    let mut shown: HashSet<&str> = HashSet::new();
    for finding in &findings {
        shown.insert(&finding.path);
        shown.extend(finding.related.iter().map(|r| r.path.as_str()));
    }
    for file in &project.files {
        let path = &file.source.path;
        if shown.contains(path.as_str()) {
            out.sources.insert(path.clone(), file.source.text.clone());
        }
        out.files.push((path.clone(), file.kind));
    }
    out.redactions.extend(
        redactions
            .into_iter()
            .filter(|(path, _)| shown.contains(path.as_str())),
    );
    out.findings.extend(findings);
    out.suppressed.extend(suppressed);
    project.facts.clone()
}

const INTERNAL_ERROR: &str = "tollgate/internal-error";

/// Names the stage and the place in tollgate's code, never the panic payload: payloads such as
/// "byte index 7 is not a char boundary ... of `<text>`" can quote the file, and so a secret.
fn internal_error_message(stage: &str, place: &str) -> String {
    format!(
        "internal error while {stage} (panic at {place}); this file was not checked. \
         Please report it as a tollgate bug"
    )
}

/// Catches a panic per unit of work so one bad file cannot abort the run.
pub mod guard {
    use std::cell::{Cell, RefCell};
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::Once;

    thread_local! {
        static GUARDED: Cell<bool> = const { Cell::new(false) };
        static PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    static HOOK: Once = Once::new();

    /// Wraps the process's panic hook once: inside [`catch`] a panic only records where it happened
    /// (the default hook would print the payload, which may quote file text); elsewhere the previous
    /// hook runs as usual.
    fn install_hook() {
        HOOK.call_once(|| {
            let previous = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if GUARDED.with(Cell::get) {
                    let place = info.location().map_or_else(
                        || "an unknown place".to_string(),
                        |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
                    );
                    PLACE.with(|p| *p.borrow_mut() = Some(place));
                } else {
                    previous(info);
                }
            }));
        });
    }

    /// Runs `f`; a panic becomes `Err(place in tollgate's code)`.
    pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
        install_hook();
        let outer = GUARDED.with(|g| g.replace(true));
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        GUARDED.with(|g| g.set(outer));
        result.map_err(|_| {
            PLACE
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "an unknown place".to_string())
        })
    }

    /// Debug builds only: panics when `TOLLGATE_DEBUG_PANIC` is `<stage>:<path suffix>` and matches,
    /// so end-to-end tests can exercise the recovery path of the real binary.
    #[cfg(debug_assertions)]
    pub(crate) fn debug_injected(stage: &str, path: &str) {
        if let Ok(spec) = std::env::var("TOLLGATE_DEBUG_PANIC") {
            if let Some((s, suffix)) = spec.split_once(':') {
                if s == stage && path.ends_with(suffix) {
                    panic!("injected panic (TOLLGATE_DEBUG_PANIC) in {path}");
                }
            }
        }
    }

    #[cfg(not(debug_assertions))]
    #[inline(always)]
    pub(crate) fn debug_injected(_stage: &str, _path: &str) {}
}

/// Runs every enabled rule over the project (per-file rules in parallel over files, project rules in
/// parallel over rules), then stamps and suppresses per file.
fn evaluate(policy: &Policy, project: &Project, parse_diags: Vec<Tagged>) -> Evaluated {
    let enabled: Vec<&dyn rules::Rule> = policy.enabled_rules().map(|r| r.rule.as_ref()).collect();
    let mut tagged: Vec<Tagged> = project
        .files
        .par_iter()
        .flat_map_iter(|file| file_diagnostics(&enabled, project, file.id))
        .collect();
    let project_results: Vec<Result<Vec<Tagged>, (&'static str, String)>> = enabled
        .par_iter()
        .map(|rule| {
            guard::catch(|| {
                let mut sink = Vec::new();
                rule.check_project(project, &mut sink);
                sink.into_iter().map(|d| (rule.meta().id, d)).collect()
            })
            .map_err(|place| (rule.meta().id, place))
        })
        .collect();
    let mut project_panics = Vec::new();
    for result in project_results {
        match result {
            Ok(diags) => tagged.extend(diags),
            Err(panic) => project_panics.push(panic),
        }
    }
    tagged.extend(parse_diags);

    let mut per_file: Vec<Vec<Tagged>> = vec![Vec::new(); project.files.len()];
    // Every secret span any rule saw, whatever its level or suppression: a snippet of one finding
    // may show the line of another.
    let mut redactions: HashMap<String, Vec<Span>> = HashMap::new();
    for (rule, diag) in tagged {
        if let Some(bucket) = per_file.get_mut(diag.file) {
            if !diag.redactions.is_empty() {
                let source = &project.file(diag.file).source;
                redactions
                    .entry(source.path.clone())
                    .or_default()
                    .extend(diag.redactions.iter().map(|s| s.clamp_to(&source.text)));
            }
            bucket.push((rule, diag));
        }
    }
    let today = suppress::today();
    let results: Vec<(Vec<Finding>, Vec<Suppressed>)> = per_file
        .into_par_iter()
        .enumerate()
        .map(|(id, diags)| finish_file(policy, project, id, diags, today))
        .collect();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    for (f, s) in results {
        findings.extend(f);
        suppressed.extend(s);
    }
    Evaluated {
        findings,
        suppressed,
        redactions,
        project_panics,
    }
}

/// Every per-file rule over one file; a panic becomes one internal-error diagnostic.
fn file_diagnostics(enabled: &[&dyn rules::Rule], project: &Project, id: FileId) -> Vec<Tagged> {
    let file = project.file(id);
    let checked = guard::catch(|| {
        guard::debug_injected("check", &file.source.path);
        let mut out = Vec::new();
        for rule in enabled {
            let mut sink = Vec::new();
            rule.check_file(id, project, &mut sink);
            out.extend(sink.into_iter().map(|d| (rule.meta().id, d)));
        }
        out
    });
    checked.unwrap_or_else(|place| {
        let message = internal_error_message("checking this file", &place);
        vec![(INTERNAL_ERROR, Diagnostic::new(id, Span::empty(0), message))]
    })
}

/// What is left of a streamed file once it is checked.
enum Streamed {
    Binary,
    Failed(SourceFile, &'static str, Diagnostic),
    Checked(CheckedFile),
}

struct CheckedFile {
    path: String,
    kind: FileKind,
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    /// Kept only when the file has findings: reporters show snippets of it, blanking `redactions`.
    text: Option<Arc<str>>,
    redactions: Vec<Span>,
}

/// Reads, parses and checks one streamed file in a view of its own; the document is dropped here.
fn stream_one(
    policy: &Policy,
    enabled: &[&dyn rules::Rule],
    input: &Input,
    facts: &Arc<Facts>,
    today: (i32, u32, u32),
) -> Streamed {
    let (kind, source, document, diagnostics) = match load_guarded(input, policy) {
        Loaded::Binary => return Streamed::Binary,
        Loaded::Failed {
            source,
            rule,
            span,
            message,
        } => return Streamed::Failed(source, rule, Diagnostic::new(0, span, message)),
        Loaded::Parsed {
            kind,
            source,
            document,
            diagnostics,
        } => (kind, source, document, diagnostics),
    };
    let view = Project::view(
        ParsedFile {
            id: 0,
            kind,
            source,
            document,
        },
        facts.clone(),
    );
    let mut tagged: Vec<Tagged> = diagnostics
        .into_iter()
        .map(|(rule, span, message)| (rule, Diagnostic::new(0, span, message)))
        .collect();
    tagged.extend(file_diagnostics(enabled, &view, 0));
    let source = &view.file(0).source;
    // Every secret span any rule saw, whatever its level or suppression (as in `evaluate`).
    let redactions: Vec<Span> = tagged
        .iter()
        .flat_map(|(_, d)| d.redactions.iter().map(|s| s.clamp_to(&source.text)))
        .collect();
    let (findings, suppressed) = finish_file(policy, &view, 0, tagged, today);
    let text = (!findings.is_empty()).then(|| source.text.clone());
    Streamed::Checked(CheckedFile {
        path: source.path.clone(),
        kind,
        findings,
        suppressed,
        text,
        redactions,
    })
}

/// Content that is not text: a NUL byte in the first block, or the magic number of a common binary
/// format (images, archives, fonts, executables, databases).
fn is_binary(bytes: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"%PDF-",
        b"PK\x03\x04",
        b"\x1f\x8b",
        b"BZh",
        b"7z\xbc\xaf\x27\x1c",
        b"\xfd7zXZ\x00",
        b"\x00asm",
        b"\x7fELF",
        b"\xcf\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"wOFF",
        b"wOF2",
        b"OTTO",
        b"SQLite format 3\x00",
        b"OggS",
        b"ID3",
        b"fLaC",
        b"RIFF",
        b"\x00\x00\x01\x00",
    ];
    MAGIC.iter().any(|m| bytes.starts_with(m)) || bytes.iter().take(8192).any(|b| *b == 0)
}

/// [`load`], with a panic turned into an internal-error failure of that file.
fn load_guarded(input: &Input, policy: &Policy) -> Loaded {
    guard::catch(|| load(input, policy)).unwrap_or_else(|place| Loaded::Failed {
        source: SourceFile::new(input.path.clone(), &input.disk_path, ""),
        rule: INTERNAL_ERROR,
        span: Span::empty(0),
        message: internal_error_message("reading or parsing", &place),
    })
}

struct Evaluated {
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
    redactions: HashMap<String, Vec<Span>>,
    /// Panics in project-wide checks, as (rule id, place): they belong to no file.
    project_panics: Vec<(&'static str, String)>,
}

/// Stamps one file's diagnostics into findings and applies its inline suppressions.
fn finish_file(
    policy: &Policy,
    project: &Project,
    id: FileId,
    mut diags: Vec<Tagged>,
    today: (i32, u32, u32),
) -> (Vec<Finding>, Vec<Suppressed>) {
    let file = project.file(id);
    let source = &file.source;
    diags.sort_by(|a, b| (a.1.span, a.0, &a.1.message).cmp(&(b.1.span, b.0, &b.1.message)));
    let mut occurrences: HashMap<(&str, String), usize> = HashMap::new();
    let mut findings = Vec::new();
    for (rule, diag) in &diags {
        let key = (
            *rule,
            source
                .slice(diag.span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        let n = occurrences.entry(key).or_insert(0);
        if let Some(finding) = stamp(policy, source, &project.files, rule, diag, *n) {
            findings.push(finding);
        }
        *n += 1;
    }

    // The line index is built only for files that mention a directive at all.
    let mut directives = if suppress::mentions_directive(&source.text) {
        suppress::scan(
            &source.text,
            file.kind,
            source.lines(),
            policy.require_reason,
        )
    } else {
        Vec::new()
    };
    if directives.is_empty() {
        cap_findings(policy, source, &project.files, id, &mut findings);
        return (findings, Vec::new());
    }
    let mut used = vec![false; directives.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for finding in findings {
        let line = finding.start.line - 1;
        let matching = directives.iter().enumerate().find(|(_, d)| {
            d.problem.is_none()
                && d.rules.iter().any(|r| r == finding.rule)
                && match d.scope {
                    Scope::File => true,
                    Scope::Line(l) => l == line,
                }
        });
        match matching {
            Some((i, d)) => {
                used[i] = true;
                if d.is_expired(today) {
                    kept.push(finding);
                } else {
                    suppressed.push(Suppressed {
                        rule: finding.rule,
                        path: finding.path.clone(),
                        line: finding.start.line,
                        fingerprint: finding.fingerprint.clone(),
                        reason: d.reason.clone(),
                        owner: d.owner.clone(),
                        until: d.until_text(),
                        column: finding.start.column,
                        message: finding.message.clone(),
                    });
                }
            }
            None => kept.push(finding),
        }
    }
    for (i, d) in directives.drain(..).enumerate() {
        let (rule, message) = if let Some(problem) = &d.problem {
            (
                "tollgate/invalid-suppression",
                format!("suppression has no effect: {problem}"),
            )
        } else if d.is_expired(today) {
            let until = d.until_text().unwrap_or_default();
            (
                "tollgate/expired-suppression",
                format!("suppression of {} expired on {until}", d.rules.join(", ")),
            )
        } else if !used[i] {
            (
                "tollgate/unused-suppression",
                format!("suppression of {} matches no finding", d.rules.join(", ")),
            )
        } else {
            continue;
        };
        let diag = Diagnostic::new(id, d.span, message);
        kept.extend(stamp(policy, source, &project.files, rule, &diag, i));
    }
    cap_findings(policy, source, &project.files, id, &mut kept);
    (kept, suppressed)
}

/// Keeps `max-findings-per-file` findings of a file, most severe first, replacing the rest by one
/// error anchored on the first dropped finding. Internal errors are always kept.
fn cap_findings(
    policy: &Policy,
    source: &SourceFile,
    files: &[ParsedFile],
    id: FileId,
    findings: &mut Vec<Finding>,
) {
    let max = policy.limits.max_findings_per_file;
    if findings.len() <= max {
        return;
    }
    // The most severe findings are kept: junk that makes notes cannot push an error past the cap.
    findings.sort_by(|a, b| (b.level, a.sort_key()).cmp(&(a.level, b.sort_key())));
    let mut dropped = findings.split_off(max);
    findings.extend(dropped.iter().filter(|f| f.rule == INTERNAL_ERROR).cloned());
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    dropped.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let first = dropped[0].span;
    let message = format!(
        "{} more findings in this file were not reported: over the {max}-finding limit \
         (`[limits] max-findings-per-file`)",
        dropped.len()
    );
    let diag = Diagnostic::new(id, Span::empty(first.start), message)
        .help("fix the findings above, exclude the file, or raise the limit");
    findings.extend(stamp(
        policy,
        source,
        files,
        "tollgate/too-many-findings",
        &diag,
        0,
    ));
}

fn stamp(
    policy: &Policy,
    source: &SourceFile,
    files: &[ParsedFile],
    rule: &'static str,
    diag: &Diagnostic,
    occurrence: usize,
) -> Option<Finding> {
    let level = policy.level_for(rule, &source.path)?;
    let span = diag.span.clamp_to(&source.text);
    let related = diag
        .related
        .iter()
        .filter_map(|(file, span, message)| {
            let other = &files.get(*file)?.source;
            let span = span.clamp_to(&other.text);
            Some(Related {
                path: other.path.clone(),
                span,
                start: other.line_col(span.start),
                end: other.line_col(span.end),
                message: message.clone(),
            })
        })
        .collect();
    Some(Finding {
        rule,
        level,
        message: diag.message.clone(),
        help: diag.help.clone(),
        path: source.path.clone(),
        span,
        start: source.line_col(span.start),
        end: source.line_col(span.end),
        fingerprint: fingerprint(
            rule,
            source,
            span,
            diag.fingerprint_salt.as_deref(),
            occurrence,
        ),
        related,
        redactions: diag
            .redactions
            .iter()
            .map(|s| s.clamp_to(&source.text))
            .collect(),
    })
}

enum Loaded {
    /// A binary file the catch-all text kind would have scanned: skipped and counted.
    Binary,
    Parsed {
        kind: FileKind,
        source: SourceFile,
        document: Document,
        diagnostics: Vec<(&'static str, Span, String)>,
    },
    Failed {
        source: SourceFile,
        rule: &'static str,
        span: Span,
        message: String,
    },
}

/// Reads a file once and parses it once.
fn load(input: &Input, policy: &Policy) -> Loaded {
    let max_size = policy.files.max_file_size;
    let failed = |text: &str, span: Span, rule: &'static str, message: String| Loaded::Failed {
        source: SourceFile::new(input.path.clone(), &input.disk_path, text),
        rule,
        span,
        message,
    };
    // A walked regular file is opened at once and sized from its descriptor (one path lookup);
    // anything else is `stat`ed first, so a FIFO named on the command line is never opened.
    let opened = if input.walked_regular {
        std::fs::File::open(&input.disk_path).and_then(|f| f.metadata().map(|m| (Some(f), m)))
    } else {
        std::fs::metadata(&input.disk_path).map(|m| (None, m))
    };
    let (file, size) = match opened {
        Ok((_, meta)) if meta.len() > max_size => {
            return failed(
                "",
                Span::empty(0),
                "tollgate/file-too-large",
                format!(
                    "file is {} bytes, over the {max_size}-byte limit; not checked",
                    meta.len()
                ),
            );
        }
        Ok((_, meta)) if !meta.is_file() => {
            return failed(
                "",
                Span::empty(0),
                "tollgate/read-error",
                "not a regular file; not checked".into(),
            );
        }
        Ok((file, meta)) => (file, meta.len()),
        Err(_) => (None, 0),
    };
    // Reads at most one byte past the limit: a file growing after the size check stays bounded.
    // Sized from the metadata, the whole file arrives in one read (a growing buffer took several
    // reads and copies per file: it was the largest cost of a full scan).
    let file = match file {
        Some(file) => Ok(file),
        None => std::fs::File::open(&input.disk_path),
    };
    let read = file.and_then(|file| {
        use std::io::Read;
        let capacity = usize::try_from(size.min(max_size))
            .unwrap_or(0)
            .saturating_add(1);
        let mut bytes = Vec::with_capacity(capacity);
        file.take(max_size.saturating_add(1))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    let bytes = match read {
        Ok(bytes) if bytes.len() as u64 > max_size => {
            return failed(
                "",
                Span::empty(0),
                "tollgate/file-too-large",
                format!("file grew over the {max_size}-byte limit while being read; not checked"),
            );
        }
        Ok(bytes) => bytes,
        Err(e) => {
            return failed(
                "",
                Span::empty(0),
                "tollgate/read-error",
                format!("cannot read file: {e}"),
            );
        }
    };
    // A file that only the catch-all text kind claims is skipped when its content is binary
    // (counted in the summary); a binary file of a checked kind (a `.sql` migration) is an error.
    if input.kind == FileKind::Text && is_binary(&bytes) {
        return Loaded::Binary;
    }
    if let Some(nul) = bytes.iter().take(8192).position(|b| *b == 0) {
        let text = String::from_utf8_lossy(&bytes[..nul]).into_owned();
        let at = text.len();
        return failed(
            &text,
            Span::empty(at),
            "tollgate/read-error",
            format!("binary file (NUL byte at offset {nul}); not checked"),
        );
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // Text files are only scanned for secrets, which are ASCII: a Latin-1 README is checked
        // with its invalid bytes replaced (U+FFFD), not failed.
        Err(e) if input.kind == FileKind::Text => {
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            return failed(
                &lossy,
                Span::new(at, at + 1),
                "tollgate/read-error",
                format!("not valid UTF-8 (invalid byte at offset {at}); not checked"),
            );
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    guard::debug_injected("parse", &input.path);
    parse(
        input.kind,
        SourceFile::new(input.path.clone(), &input.disk_path, text),
        &policy.limits,
    )
}

/// Dispatches to the kind's parser.
fn parse(kind: FileKind, source: SourceFile, limits: &Limits) -> Loaded {
    match kind {
        FileKind::Sql => {
            let mut file = sql::SqlFile::parse(&source.text);
            let mut diagnostics: Vec<(&'static str, Span, String)> = Vec::new();
            let max = limits.max_statements_per_file;
            if file.statements.len() > max {
                // Rules and the migration replay see only the first `max` statements.
                let cut = file.statements[max].span;
                let skipped = file.statements.len() - max;
                file.statements.truncate(max);
                file.diagnostics.retain(|d| d.span.start < cut.start);
                diagnostics.push((
                    "tollgate/too-many-statements",
                    Span::empty(cut.start),
                    format!(
                        "{skipped} statements from here on were not checked: over the \
                         {max}-statement limit (`[limits] max-statements-per-file`)"
                    ),
                ));
            }
            diagnostics.extend(
                file.diagnostics
                    .iter()
                    .map(|d| (d.rule, d.span, d.message.clone())),
            );
            Loaded::Parsed {
                kind,
                source,
                document: Document::Sql(file),
                diagnostics,
            }
        }
        FileKind::Docker => {
            let file = dockerfile::parse(&source.text);
            let diagnostics = file
                .diagnostics
                .iter()
                .map(|d| ("docker/parse-error", d.span, d.message.clone()))
                .collect();
            Loaded::Parsed {
                kind,
                source,
                document: Document::Docker(file),
                diagnostics,
            }
        }
        // Env diagnostics are reported by `env/parse-error`, which redacts the malformed line.
        FileKind::Env => Loaded::Parsed {
            kind,
            document: Document::Env(env::EnvFile::parse(&source.text)),
            source,
            diagnostics: Vec::new(),
        },
        FileKind::Code => Loaded::Parsed {
            kind,
            document: Document::Code(env::CodeFile::parse(&source.path, &source.text)),
            source,
            diagnostics: Vec::new(),
        },
        FileKind::Text => Loaded::Parsed {
            kind,
            source,
            document: Document::Text,
            diagnostics: Vec::new(),
        },
        FileKind::Compose => {
            let file = compose::parse(&source.text);
            let diagnostics = file
                .diagnostics
                .iter()
                .map(|d| ("docker/parse-error", d.span, d.message.clone()))
                .collect();
            Loaded::Parsed {
                kind,
                source,
                document: Document::Compose(file),
                diagnostics,
            }
        }
        FileKind::K8s => {
            let yaml_limits = crate::document::yaml::Limits {
                max_depth: limits.yaml_max_depth,
                max_alias_nodes: limits.yaml_max_alias_nodes,
            };
            let file = k8s::parse_with(&source.path, &source.text, yaml_limits);
            // YAML/JSON is only a manifest when a document has `apiVersion` and `kind`; a broken file
            // is kept (as k8s/parse-error) only when it looks like one.
            let looks_like_manifest = !file.objects.is_empty()
                || file.helm_template.is_some()
                || !file.kustomize_patches.is_empty()
                || !file.workflow_env.is_empty()
                || (!file.errors.is_empty()
                    && (source.text.contains("apiVersion") || k8s::is_workflow_path(&source.path)));
            // Any other YAML or JSON (configs, CI workflows without `env:`, lockfiles) is text:
            // scanned for secrets like every file.
            if !looks_like_manifest {
                return parse(FileKind::Text, source, limits);
            }
            Loaded::Parsed {
                kind,
                source,
                document: Document::K8s(file),
                diagnostics: Vec::new(),
            }
        }
    }
}

/// Parses in-memory files and runs the policy, for tests and fuzzing.
pub fn check_sources(policy: &Policy, inputs: &[(&str, FileKind, &str)]) -> Vec<Finding> {
    let mut files = Vec::new();
    let mut parse_diags = Vec::new();
    for (path, kind, text) in inputs {
        if let Loaded::Parsed {
            kind,
            source,
            document,
            diagnostics,
        } = parse(*kind, SourceFile::in_memory(path, text), &policy.limits)
        {
            let id = files.len();
            parse_diags.extend(
                diagnostics
                    .into_iter()
                    .map(|(rule, span, message)| (rule, Diagnostic::new(id, span, message))),
            );
            files.push(ParsedFile {
                id,
                kind,
                source,
                document,
            });
        }
    }
    let project = Project::new(files);
    let mut findings = evaluate(policy, &project, parse_diags).findings;
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}
