//! Command-line interface (clap derive) and the commands behind it. Returns an exit code; only this
//! module and the reporters decide what is printed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::document::FileKind;
use crate::engine::{self, Options};
use crate::finding::{Level, RuleLevel};
use crate::policy::{POLICY_FILE_NAME, Policy};
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
    let report = engine::run(
        &policy,
        &Options {
            paths: args.paths.clone(),
            threads: args.threads,
        },
    );
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
    let rendered = report::render(
        &report,
        args.format,
        RenderOptions {
            color,
            width,
            quiet: args.quiet,
        },
    );
    let code = if args.fail_on.fails(report.max_level()) {
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
            Policy::load(&shown).map_err(miette::Report::new)
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
    let mut out = String::from(
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
