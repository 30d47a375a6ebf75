//! Command-line interface (clap derive) and the commands behind it. Returns an exit code; only this
//! module and the reporters decide what is printed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline::{self, Baseline};
use crate::changed;
use crate::document::FileKind;
use crate::engine::{self, Options};
use crate::finding::{Level, RuleLevel};
use crate::policy::{POLICY_FILE_NAME, Policy, PolicySource};
use crate::report::{self, Format, RenderOptions};
use crate::rules::REGISTRY;

/// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, policy or I/O error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Policy-as-code compliance checks for migration SQL, env files, Dockerfiles and Kubernetes manifests",
    long_about = "tollgate turns pre-merge checklists (\"RLS enabled on every new table\", \"no secrets in env \
examples\", \"containers run as non-root\") into code. It walks a repository once (respecting .gitignore), \
parses each file once, checks it against a TOML policy and reports findings.",
    after_help = "Examples:\n  tollgate check                       check the current directory\n  tollgate check supabase/ --format sarif --output tollgate.sarif\n  tollgate check --fail-on warning     fail on warnings too\n  tollgate rules                       list every rule\n  tollgate explain sql/require-rls     show a rule's documentation\n  tollgate init                        write a starter tollgate.toml\n\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, policy or I/O error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Discover, parse and check files; report findings.
    #[command(
        after_help = "Examples:\n  tollgate check\n  tollgate check fixtures/demo --format json\n  tollgate check --policy ci/tollgate.toml --fail-on warning\n  tollgate check --format github        annotations in a GitHub Actions log"
    )]
    Check(CheckArgs),
    /// List every rule: id, default level and summary.
    Rules {
        /// Output as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a rule's full documentation.
    #[command(after_help = "Example:\n  tollgate explain sql/require-rls")]
    Explain {
        /// Rule id, e.g. `sql/require-rls`.
        rule: String,
    },
    /// Write `.tollgate-baseline.json`: accept every current finding so `check` reports only new ones.
    #[command(
        after_help = "Examples:\n  tollgate baseline                    accept today's findings\n  tollgate baseline --prune            drop entries whose findings were fixed\n\nThe file format and matching rules are documented in docs/baseline.md."
    )]
    Baseline(BaselineArgs),
    /// Print a shell completion script to standard output.
    #[command(
        after_help = "Examples:\n  tollgate completions bash > ~/.local/share/bash-completion/completions/tollgate\n  tollgate completions zsh > \"${fpath[1]}/_tollgate\"\n  tollgate completions fish > ~/.config/fish/completions/tollgate.fish"
    )]
    Completions {
        /// Shell to generate for.
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of tollgate.toml (what editors use for completion and validation).
    Schema,
    /// Print the tollgate(1) man page (roff), or write one page per command with --out-dir.
    #[command(
        after_help = "Examples:\n  tollgate man | man -l -\n  tollgate man --out-dir /usr/local/share/man/man1"
    )]
    Man {
        /// Write tollgate.1 and tollgate-<command>.1 into DIR instead of printing tollgate.1.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Write a commented starter tollgate.toml tailored to this repository (never overwrites).
    Init {
        /// Repository root to inspect and write into.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Check, then report on the pull request that triggered the GitHub Actions workflow.
    Github(crate::github::command::GithubArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Policy file (default: the nearest tollgate.toml upwards from the current directory, else the built-in `recommended` pack).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest level that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads (0: one per core). Output is identical whatever the count.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Human output: print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub adopt: AdoptArgs,
}

/// Baseline and changed-files options of `check`.
#[derive(Debug, Default, clap::Args)]
pub struct AdoptArgs {
    /// Baseline file of accepted findings (default: `.tollgate-baseline.json` in the scanned directory or an ancestor up to the repository root).
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub baseline: Option<PathBuf>,
    /// Ignore any baseline file: report every finding.
    #[arg(long)]
    pub no_baseline: bool,
    /// Report only findings in files changed since the merge base of REF and HEAD (committed, uncommitted and untracked), and findings elsewhere that the change caused. Every file is still parsed, so cross-file rules keep their context.
    #[arg(long, value_name = "REF", conflicts_with = "staged")]
    pub changed_since: Option<String>,
    /// Like --changed-since HEAD, for the files staged for commit (the pre-commit hook's mode).
    #[arg(long)]
    pub staged: bool,
}

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Policy file (as for `check`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Baseline file to write (default: the existing one found as `check` finds it, else `.tollgate-baseline.json` at the repository root).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Only remove entries that no longer match a finding; never add new ones.
    #[arg(long)]
    pub prune: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn fails(self, level: Option<Level>) -> bool {
        let threshold = match self {
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
            FailOn::Note => Level::Note,
            FailOn::Never => return false,
        };
        level.is_some_and(|l| l >= threshold)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules { json } => write_stdout(&rules_listing(json)),
        Command::Explain { rule } => explain(&rule),
        Command::Init { dir } => init(&dir),
        Command::Github(args) => crate::github::command::run(&args),
        Command::Baseline(args) => baseline_command(&args),
        Command::Completions { shell } => write_stdout(&completions(shell)),
        Command::Schema => write_stdout(&crate::schema::policy_schema()),
        Command::Man { out_dir } => man(out_dir.as_deref()),
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let policy = match load_policy(args.policy.as_deref()) {
        Ok(policy) => policy,
        Err(report) => {
            eprintln!("{report:?}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    for path in &args.paths {
        if std::fs::symlink_metadata(path).is_err() {
            eprintln!("error: path not found: {}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let since = match (&args.adopt.changed_since, args.adopt.staged) {
        (Some(reference), _) => Some(changed::Since::Ref(reference.clone())),
        (None, true) => Some(changed::Since::Staged),
        (None, false) => None,
    };
    // Ask git before the scan: outside a repository the run stops with exit 2.
    let changed = match since {
        Some(since) => {
            let dir = cwd.join(first);
            let dir = if dir.is_dir() {
                dir
            } else {
                dir.parent().map_or_else(|| cwd.clone(), Path::to_path_buf)
            };
            match changed::collect(&dir, &since) {
                Ok(changed) => Some(changed),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
        None => None,
    };
    let baseline_path = if args.adopt.no_baseline {
        None
    } else if let Some(path) = &args.adopt.baseline {
        Some(path.clone())
    } else {
        baseline::discover(first, &cwd)
    };
    let loaded_baseline = match &baseline_path {
        Some(path) => match Baseline::load(path) {
            Ok(b) => Some((path, b)),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
        None => None,
    };
    let mut report = engine::run(
        &policy,
        &Options {
            paths: args.paths.clone(),
            threads: args.threads,
        },
    );
    // The baseline sees every finding (so entries for unchanged files are not called stale), then
    // the changed-files filter narrows what is reported.
    if let Some((path, baseline)) = &loaded_baseline {
        let full = cwd.join(path);
        let full = full.canonicalize().unwrap_or(full);
        let base_dir = full.parent().map_or_else(|| cwd.clone(), Path::to_path_buf);
        baseline.apply(&mut report, &shown(path, &cwd), &base_dir, &cwd);
    }
    if let Some(changed) = &changed {
        let base = changed::base_findings(changed, &policy, &args.paths, &cwd, args.threads);
        changed::apply(&mut report, changed, &cwd, base.as_ref());
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let width = terminal_width();
    let rendered = report::render_guarded(
        &report,
        args.format,
        RenderOptions {
            color,
            width,
            quiet: args.quiet,
        },
    );
    let Ok(rendered) = rendered.inspect_err(|e| eprintln!("error: {e}")) else {
        return ExitCode::from(EXIT_ERROR);
    };
    // A caught crash fails the run whatever the fail level: some file was not checked.
    let code = if report.internal_errors > 0 {
        EXIT_ERROR
    } else if args.fail_on.fails(report.max_level()) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(EXIT_ERROR);
            }
            if args.format != Format::Human {
                eprint!("{}", report::human::summary(&report));
            }
            ExitCode::from(code)
        }
        None => match write_stdout(&rendered) {
            c if c == ExitCode::from(EXIT_ERROR) => c,
            _ => ExitCode::from(code),
        },
    }
}

/// A path as the user would type it: relative to the working directory (with `..` when above it).
fn shown(path: &Path, cwd: &Path) -> String {
    let full = cwd.join(path);
    let full = full.canonicalize().unwrap_or(full);
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let common = full
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    // Only the root in common: an absolute path reads better than a chain of `..`.
    if common <= 1 {
        return path.display().to_string().replace('\\', "/");
    }
    let ups = cwd.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        full.components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn baseline_command(args: &BaselineArgs) -> ExitCode {
    let policy = match load_policy(args.policy.as_deref()) {
        Ok(policy) => policy,
        Err(report) => {
            eprintln!("{report:?}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    for path in &args.paths {
        if std::fs::symlink_metadata(path).is_err() {
            eprintln!("error: path not found: {}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let target = args
        .file
        .clone()
        .unwrap_or_else(|| baseline::default_location(first, &cwd));
    let previous = if target.is_file() {
        match Baseline::load(&target) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    } else {
        None
    };
    if args.prune && previous.is_none() {
        eprintln!(
            "error: --prune needs an existing baseline, and {} does not exist",
            target.display()
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let report = engine::run(
        &policy,
        &Options {
            paths: args.paths.clone(),
            threads: args.threads,
        },
    );
    let full = cwd.join(&target);
    let base_dir = full
        .parent()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
        .unwrap_or_else(|| cwd.clone());
    let old = previous.unwrap_or_default();
    let new = if args.prune {
        old.pruned(&report, &base_dir, &cwd)
    } else {
        Baseline::from_report(&report, &base_dir, &cwd)
    };
    if let Err(e) = std::fs::write(&target, new.render()) {
        eprintln!("error: cannot write {}: {e}", target.display());
        return ExitCode::from(EXIT_ERROR);
    }
    let removed = old
        .entries
        .iter()
        .filter(|e| !new.entries.contains(e))
        .count();
    let added = new
        .entries
        .iter()
        .filter(|e| !old.entries.contains(e))
        .count();
    eprintln!(
        "wrote {}: {} entries ({added} added, {removed} removed)",
        shown(&target, &cwd),
        new.entries.len()
    );
    ExitCode::from(EXIT_CLEAN)
}

fn completions(shell: clap_complete::Shell) -> String {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "tollgate", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn man(out_dir: Option<&Path>) -> ExitCode {
    let command = <Cli as clap::CommandFactory>::command();
    match out_dir {
        Some(dir) => match std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
        {
            Ok(()) => {
                eprintln!("wrote man pages to {}", dir.display());
                ExitCode::from(EXIT_CLEAN)
            }
            Err(e) => {
                eprintln!("error: cannot write man pages to {}: {e}", dir.display());
                ExitCode::from(EXIT_ERROR)
            }
        },
        None => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(command).render(&mut out) {
                Ok(()) => write_stdout(&String::from_utf8_lossy(&out)),
                Err(e) => {
                    eprintln!("error: cannot render the man page: {e}");
                    ExitCode::from(EXIT_ERROR)
                }
            }
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

pub(crate) fn load_policy(explicit: Option<&Path>) -> Result<Policy, miette::Report> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| Policy::discover(&dir)),
    };
    match path {
        Some(path) => {
            // Shown relative to the working directory when it is below it, as users typed it.
            let shown = std::env::current_dir()
                .ok()
                .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
                .unwrap_or(path);
            Policy::load_from(&shown, PolicySource::of(explicit)).map_err(miette::Report::new)
        }
        None => Ok(Policy::recommended()),
    }
}

/// Writes to stdout; a closed pipe (`tollgate check | head`) ends quietly.
fn write_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::from(EXIT_CLEAN),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_CLEAN),
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn rules_listing(json: bool) -> String {
    if json {
        let rules: Vec<_> = REGISTRY
            .iter()
            .map(|e| serde_json::json!({ "id": e.meta.id, "kind": e.meta.kind(), "default_level": e.meta.default_level.as_str(), "summary": e.meta.summary }))
            .collect();
        return serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n";
    }
    let width = REGISTRY.iter().map(|e| e.meta.id.len()).max().unwrap_or(0);
    let mut out = format!(
        "{:<width$}  {:<8}  {:<7}  SUMMARY\n",
        "RULE", "KIND", "LEVEL"
    );
    for e in REGISTRY {
        out.push_str(&format!(
            "{:<width$}  {:<8}  {:<7}  {}\n",
            e.meta.id,
            e.meta.kind(),
            e.meta.default_level.as_str(),
            e.meta.summary
        ));
    }
    out
}

fn explain(id: &str) -> ExitCode {
    match crate::rules::meta(id) {
        Some(meta) => write_stdout(&format!(
            "# {}\n\nDefault level: {} · Summary: {}\n\n{}\nDocs: {}\n",
            meta.id,
            meta.default_level.as_str(),
            meta.summary,
            meta.docs,
            meta.docs_url()
        )),
        None => {
            let hint = crate::rules::suggest(id)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            eprintln!("error: unknown rule `{id}`{hint}; `tollgate rules` lists every rule");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn init(dir: &Path) -> ExitCode {
    let target = dir.join(POLICY_FILE_NAME);
    if target.exists() {
        eprintln!(
            "error: {} already exists; tollgate init never overwrites",
            target.display()
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let policy = Policy::recommended();
    let (inputs, _) = crate::discover::discover(&[dir.to_path_buf()], &policy.files, 0);
    let text = starter_policy(&inputs);
    if let Err(e) = std::fs::write(&target, text) {
        eprintln!("error: cannot write {}: {e}", target.display());
        return ExitCode::from(EXIT_ERROR);
    }
    eprintln!("wrote {} — run `tollgate check` next", target.display());
    ExitCode::from(EXIT_CLEAN)
}

/// A commented starter policy naming what was found in the repository.
pub fn starter_policy(inputs: &[crate::discover::Input]) -> String {
    // Taplo / Even Better TOML read the schema from this first-line directive.
    let mut out = format!("#:schema {}\n", crate::schema::URL);
    out.push_str(
        "# tollgate policy — see `tollgate rules` and `tollgate explain <rule-id>`.\n\
         # Start from the recommended pack; `strict` adds opinionated hygiene checks.\n\
         extends = [\"recommended\"]\n\n",
    );
    out.push_str("# What tollgate found in this repository:\n");
    for kind in FileKind::ALL {
        let found: Vec<&str> = inputs
            .iter()
            .filter(|i| i.kind == *kind)
            .map(|i| i.path.as_str())
            .collect();
        let mut dirs: Vec<&str> = found
            .iter()
            .map(|p| p.rsplit_once('/').map_or(".", |(d, _)| d))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        match found.len() {
            0 => out.push_str(&format!(
                "#   {}: none found (default globs: {})\n",
                kind.as_str(),
                kind.default_globs().join(", ")
            )),
            n => out.push_str(&format!(
                "#   {}: {n} files in {}\n",
                kind.as_str(),
                dirs.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            )),
        }
    }
    out.push_str(
        "\n[files]\n\
         # Paths never scanned, in addition to .gitignore.\n\
         exclude = []\n\
         # max-file-size = 5242880\n\n",
    );
    let mut kinds: Vec<&str> = REGISTRY.iter().map(|e| e.meta.kind()).collect();
    kinds.dedup();
    for kind in kinds {
        out.push_str(&format!("[rules.{kind}]\n"));
        for e in REGISTRY.iter().filter(|e| e.meta.kind() == kind) {
            let level = e.meta.default_level;
            let line = format!("{} = \"{}\"", e.meta.name(), level.as_str());
            if level == RuleLevel::Off {
                out.push_str(&format!("# {line:<40} # {}\n", e.meta.summary));
            } else {
                out.push_str(&format!("{line:<42} # {}\n", e.meta.summary));
            }
        }
        out.push('\n');
    }
    out.push_str(
        "# Per-path levels:\n\
         # [[overrides]]\n\
         # files = [\"legacy/**\"]\n\
         # [overrides.rules.sql]\n\
         # require-rls = \"warning\"\n",
    );
    out
}
