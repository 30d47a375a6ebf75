//! Command-line interface (clap derive) and the commands behind it. Returns an exit code; only this
//! module and the reporters decide what is printed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline::{self, Baseline, BaselineError};
use crate::changed;
use crate::document::FileKind;
use crate::finding::RuleLevel;
pub use crate::outcome::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, FailOn};
use crate::paths::shown;
use crate::pipeline::{self, BaselineChoice, ScanError, ScanOptions};
use crate::policy::{POLICY_FILE_NAME, Policy, PolicyError};
use crate::report::{self, Format, RenderOptions};
use crate::rules::REGISTRY;

/// Why a command could not do its job (exit 2). Findings are never errors: they are the report.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CliError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write output: {0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    Render(#[from] report::RenderError),
    #[error("cannot render the man page: {0}")]
    Man(std::io::Error),
    #[error("unknown rule `{id}`")]
    #[diagnostic(help("{}`tollgate rules` lists every rule", .suggestion.as_ref().map(|s| format!("did you mean `{s}`? ")).unwrap_or_default()))]
    UnknownRule {
        id: String,
        suggestion: Option<&'static str>,
    },
    #[error("{path} already exists; tollgate init never overwrites")]
    Exists { path: String },
    #[error("--prune needs an existing baseline, and {path} does not exist")]
    PruneWithoutBaseline { path: String },
}

impl CliError {
    fn write(path: &Path, source: std::io::Error) -> Self {
        CliError::Write {
            path: path.display().to_string(),
            source,
        }
    }
}

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
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules { json } => write_stdout(&rules_listing(json)),
        Command::Explain { rule } => explain(&rule),
        Command::Init { dir } => init(&dir),
        Command::Github(args) => return crate::github::command::run(&args),
        Command::Baseline(args) => baseline_command(&args),
        Command::Completions { shell } => write_stdout(&completions(shell)),
        Command::Schema => write_stdout(&crate::schema::policy_schema()),
        Command::Man { out_dir } => man(out_dir.as_deref()),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr().lock(), "{:?}", miette::Report::new(error));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

impl AdoptArgs {
    fn baseline_choice(&self) -> BaselineChoice {
        if self.no_baseline {
            BaselineChoice::Ignore
        } else if let Some(path) = &self.baseline {
            BaselineChoice::File(path.clone())
        } else {
            BaselineChoice::Discover
        }
    }

    fn since(&self) -> Option<changed::Since> {
        match (&self.changed_since, self.staged) {
            (Some(reference), _) => Some(changed::Since::Ref(reference.clone())),
            (None, true) => Some(changed::Since::Staged),
            (None, false) => None,
        }
    }
}

fn check(args: &CheckArgs) -> Result<u8, CliError> {
    let policy = pipeline::load_policy(args.policy.as_deref())?;
    let report = pipeline::scan(
        &policy,
        &ScanOptions {
            paths: args.paths.clone(),
            threads: args.threads,
            baseline: args.adopt.baseline_choice(),
            since: args.adopt.since(),
        },
    )?;
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
    let rendered = rendered?;
    let code = report.exit_code(args.fail_on);
    if let Some(message) = report.nothing_checked_message() {
        let _ = writeln!(std::io::stderr().lock(), "error: {message}");
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).map_err(|e| CliError::write(path, e))?;
            if args.format != Format::Human {
                let _ = write!(
                    std::io::stderr().lock(),
                    "{}",
                    report::human::summary(&report)
                );
            }
            Ok(code)
        }
        None => write_stdout(&rendered).map(|_| code),
    }
}

fn baseline_command(args: &BaselineArgs) -> Result<u8, CliError> {
    let policy = pipeline::load_policy(args.policy.as_deref())?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let target = args
        .file
        .clone()
        .unwrap_or_else(|| baseline::default_location(first, &cwd));
    let previous = if target.is_file() {
        Some(Baseline::load(&target)?)
    } else {
        None
    };
    if args.prune && previous.is_none() {
        return Err(CliError::PruneWithoutBaseline {
            path: target.display().to_string(),
        });
    }
    let report = pipeline::scan(
        &policy,
        &ScanOptions {
            paths: args.paths.clone(),
            threads: args.threads,
            baseline: BaselineChoice::Ignore,
            since: None,
        },
    )?;
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
    std::fs::write(&target, new.render()).map_err(|e| CliError::write(&target, e))?;
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
    let _ = writeln!(
        std::io::stderr().lock(),
        "wrote {}: {} entries ({added} added, {removed} removed)",
        shown(&target, &cwd),
        new.entries.len()
    );
    Ok(EXIT_CLEAN)
}

fn completions(shell: clap_complete::Shell) -> String {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "tollgate", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn man(out_dir: Option<&Path>) -> Result<u8, CliError> {
    let command = <Cli as clap::CommandFactory>::command();
    match out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .and_then(|()| clap_mangen::generate_to(command, dir))
                .map_err(|e| CliError::write(dir, e))?;
            let _ = writeln!(
                std::io::stderr().lock(),
                "wrote man pages to {}",
                dir.display()
            );
            Ok(EXIT_CLEAN)
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .map_err(CliError::Man)?;
            write_stdout(&String::from_utf8_lossy(&out))
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

/// Writes to stdout; a closed pipe (`tollgate check | head`) ends quietly.
fn write_stdout(text: &str) -> Result<u8, CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(EXIT_CLEAN),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(EXIT_CLEAN),
        Err(e) => Err(CliError::Stdout(e)),
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

fn explain(id: &str) -> Result<u8, CliError> {
    let meta = crate::rules::meta(id).ok_or_else(|| CliError::UnknownRule {
        id: id.to_string(),
        suggestion: crate::rules::suggest(id),
    })?;
    write_stdout(&format!(
        "# {}\n\nDefault level: {} · Summary: {}\n\n{}\nDocs: {}\n",
        meta.id,
        meta.default_level.as_str(),
        meta.summary,
        meta.docs,
        meta.docs_url()
    ))
}

fn init(dir: &Path) -> Result<u8, CliError> {
    let target = dir.join(POLICY_FILE_NAME);
    if target.exists() {
        return Err(CliError::Exists {
            path: target.display().to_string(),
        });
    }
    let policy = Policy::recommended();
    let (inputs, _) = crate::discover::discover(&[dir.to_path_buf()], &policy.files, 0);
    let text = starter_policy(&inputs);
    std::fs::write(&target, text).map_err(|e| CliError::write(&target, e))?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "wrote {} — run `tollgate check` next",
        target.display()
    );
    Ok(EXIT_CLEAN)
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
