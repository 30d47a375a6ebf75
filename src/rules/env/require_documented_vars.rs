use std::collections::HashSet;

use crate::declare_rule;
use crate::document::Project;
use crate::document::env::{EnvRole, env_role};
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// Every variable the code reads, and every key of a real `.env`, must be listed in the nearest `.env.example`.
    ///
    /// ## Why it matters
    /// The example file is how the next developer, the CI job and the deploy pipeline learn what
    /// the service needs. A variable read by code but missing from it fails at run time in the
    /// one environment nobody tested; a key in `.env` that the example lacks is drift (the
    /// "backend/.env.example updated with PARTNER_BOOTSTRAP_SECRET" line of a pre-merge checklist).
    ///
    /// Reads are found in JS/TS (`process.env.X`, `import.meta.env.X`), Python
    /// (`os.environ["X"]`, `os.getenv("X")`), Rust (`std::env::var("X")`, `env!("X")`), Go
    /// (`os.Getenv("X")`), Ruby (`ENV["X"]`) and Compose files (`${X}`). The nearest example is
    /// the first directory, from the file's own up to the scan root, holding an example env file.
    /// Files with no example above them are not checked.
    ///
    /// ## Violating example
    /// ```text
    /// backend/src/bootstrap.ts:  const secret = process.env.PARTNER_BOOTSTRAP_SECRET;
    /// backend/.env.example:      DATABASE_URL=
    /// ```
    ///
    /// ## Compliant example
    /// ```text
    /// backend/.env.example:      DATABASE_URL=
    ///                            PARTNER_BOOTSTRAP_SECRET=
    /// ```
    ///
    /// ## Options
    /// - `ignore` (list of strings): variables set by the platform, never documented. Default:
    ///   `NODE_ENV`, `CI`, `HOME`, `PATH`, `PWD`, `USER`, `SHELL`, `HOSTNAME`, `TZ`, `LANG`,
    ///   `PORT`, `DEBUG`, `VERCEL`, `VERCEL_ENV`, `VERCEL_URL`, `GITHUB_ACTIONS`, `RUST_LOG`,
    ///   `RUST_BACKTRACE`, `CARGO_MANIFEST_DIR`, `CARGO_PKG_VERSION`, `CARGO_PKG_NAME`, `OUT_DIR`.
    ///
    /// ## References
    /// - dotenv-linter `compare` (keys missing between env files).
    /// - The Twelve-Factor App, III. Config.
    pub struct RequireDocumentedVars {
        /// Variables never required in the example file.
        ignore: Vec<String>,
    }
    id: "env/require-documented-vars",
    level: Warning,
    summary: "Variables read by code or set in .env must be listed in .env.example",
}

const DEFAULT_IGNORE: &[&str] = &[
    "NODE_ENV",
    "CI",
    "HOME",
    "PATH",
    "PWD",
    "USER",
    "SHELL",
    "HOSTNAME",
    "TZ",
    "LANG",
    "PORT",
    "DEBUG",
    "VERCEL",
    "VERCEL_ENV",
    "VERCEL_URL",
    "GITHUB_ACTIONS",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "CARGO_MANIFEST_DIR",
    "CARGO_PKG_VERSION",
    "CARGO_PKG_NAME",
    "OUT_DIR",
];

impl Default for RequireDocumentedVars {
    fn default() -> Self {
        Self {
            ignore: DEFAULT_IGNORE.iter().map(|s| (*s).to_string()).collect(),
        }
    }
}

impl Rule for RequireDocumentedVars {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let parsed = project.file(file);
        let path = parsed.source.path.as_str();
        let reads = parsed
            .code()
            .map(|code| &code.reads)
            .or(parsed.compose().map(|compose| &compose.reads));
        let real_env = parsed
            .env()
            .filter(|_| env_role(path) == Some(EnvRole::Real));
        if reads.is_none_or(Vec::is_empty) && real_env.is_none() {
            return;
        }
        let examples = project.facts.nearest_env_examples(path);
        let Some(first) = examples.first() else {
            return;
        };
        // Every example file of that directory documents: `.env.example` and `.env.local.example`.
        let documented = |name: &str| examples.iter().any(|e| e.keys.contains(name));
        let named = examples
            .iter()
            .map(|e| format!("`{}`", e.path))
            .collect::<Vec<_>>()
            .join(" or ");
        let example_path = &first.path;
        let ignored = |name: &str| self.ignore.iter().any(|i| i == name);
        if let Some(reads) = reads {
            let mut reported = HashSet::new();
            for read in reads {
                if documented(&read.name)
                    || ignored(&read.name)
                    || !reported.insert(read.name.as_str())
                {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        file,
                        read.span,
                        format!("`{}` is read here but missing from {named}", read.name),
                    )
                    .help(format!(
                        "add `{}=` (name and a placeholder, never the value) to `{example_path}`",
                        read.name
                    )),
                );
            }
        } else if let Some(env) = real_env {
            for entry in &env.entries {
                if documented(&entry.key) || ignored(&entry.key) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        file,
                        entry.key_span,
                        format!("`{}` is set here but missing from {named}", entry.key),
                    )
                    .help(format!(
                        "add `{}=` (name and a placeholder, never the value) to `{example_path}`",
                        entry.key
                    ))
                    .redact(entry.inner_span),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::document::FileKind;
    use crate::engine::check_sources;
    use crate::testing::only_rule;

    const RULE: &str = "env/require-documented-vars";

    fn run(files: &[(&str, FileKind, &str)]) -> Vec<String> {
        check_sources(&only_rule(RULE), files)
            .into_iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {}",
                    f.path, f.start.line, f.start.column, f.message
                )
            })
            .collect()
    }

    #[test]
    fn code_reads_and_env_drift_use_the_nearest_example() {
        let found = run(&[
            ("backend/.env.example", FileKind::Env, "DATABASE_URL=\n"),
            (".env.example", FileKind::Env, "ROOT_ONLY=\n"),
            (
                "backend/src/boot.ts",
                FileKind::Code,
                "const s = process.env.PARTNER_BOOTSTRAP_SECRET;\nconst d = process.env.DATABASE_URL;\nconst e = process.env.NODE_ENV;\nprocess.env.PARTNER_BOOTSTRAP_SECRET;\n",
            ),
            (
                "backend/.env",
                FileKind::Env,
                "DATABASE_URL=postgres://x\nREDIS_URL=redis://x\n",
            ),
            (
                "tools/run.py",
                FileKind::Code,
                "os.getenv('ROOT_ONLY')\nos.environ['TOOLS_TOKEN']\n",
            ),
        ]);
        assert_eq!(
            found,
            [
                "backend/.env:2:1 `REDIS_URL` is set here but missing from `backend/.env.example`",
                "backend/src/boot.ts:1:23 `PARTNER_BOOTSTRAP_SECRET` is read here but missing from `backend/.env.example`",
                "tools/run.py:2:13 `TOOLS_TOKEN` is read here but missing from `.env.example`",
            ]
        );
    }

    #[test]
    fn compose_interpolations_are_reads() {
        let found = run(&[
            (
                ".env.example",
                FileKind::Env,
                "POSTGRES_PASSWORD=
",
            ),
            (
                "compose.yaml",
                FileKind::Compose,
                "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n      PGDATA: $$HOME/data\n    ports: [\"${DB_PORT:-5432}:5432\"]\n",
            ),
        ]);
        assert_eq!(
            found,
            ["compose.yaml:7:16 `DB_PORT` is read here but missing from `.env.example`"]
        );
    }

    #[test]
    fn every_example_file_of_the_nearest_directory_documents() {
        let found = run(&[
            ("web/.env.example", FileKind::Env, "DATABASE_URL=\n"),
            (
                "web/.env.local.example",
                FileKind::Env,
                "NEXT_PUBLIC_SUPABASE_URL=\n",
            ),
            (".env.sample", FileKind::Env, "ROOT_ONLY=\n"),
            (
                "web/app/page.ts",
                FileKind::Code,
                "process.env.DATABASE_URL;\nprocess.env.NEXT_PUBLIC_SUPABASE_URL;\nprocess.env.ROOT_ONLY;\n",
            ),
        ]);
        assert_eq!(
            found,
            [
                "web/app/page.ts:3:13 `ROOT_ONLY` is read here but missing from `web/.env.example` or `web/.env.local.example`"
            ]
        );
    }

    #[test]
    fn no_example_means_nothing_to_compare() {
        assert!(
            run(&[
                ("src/a.ts", FileKind::Code, "process.env.X\n"),
                (".env", FileKind::Env, "X=1\n")
            ])
            .is_empty()
        );
    }
}
