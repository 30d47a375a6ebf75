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

fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

impl Rule for RequireDocumentedVars {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        // Example files by directory, with the keys they document.
        let mut examples: Vec<(&str, FileId, HashSet<&str>)> = project
            .files
            .iter()
            .filter(|f| env_role(&f.source.path) == Some(EnvRole::Example))
            .filter_map(|f| {
                let env = f.env()?;
                Some((
                    parent_dir(&f.source.path),
                    f.id,
                    env.entries.iter().map(|e| e.key.as_str()).collect(),
                ))
            })
            .collect();
        if examples.is_empty() {
            return;
        }
        examples.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        let nearest = |path: &str| {
            let mut dir = parent_dir(path);
            loop {
                if let Some(found) = examples.iter().find(|(d, _, _)| *d == dir) {
                    return Some(found);
                }
                if dir.is_empty() {
                    return None;
                }
                dir = parent_dir(dir);
            }
        };
        let ignored = |name: &str| self.ignore.iter().any(|i| i == name);
        for file in &project.files {
            let path = file.source.path.as_str();
            let Some((_, example_id, keys)) = nearest(path) else {
                continue;
            };
            let example_path = &project.file(*example_id).source.path;
            let reads = file
                .code()
                .map(|code| &code.reads)
                .or(file.compose().map(|compose| &compose.reads));
            if let Some(reads) = reads {
                let mut reported = HashSet::new();
                for read in reads {
                    if keys.contains(read.name.as_str())
                        || ignored(&read.name)
                        || !reported.insert(read.name.as_str())
                    {
                        continue;
                    }
                    sink.push(
                        Diagnostic::new(file.id, read.span, format!("`{}` is read here but missing from `{example_path}`", read.name))
                            .help(format!("add `{}=` (name and a placeholder, never the value) to `{example_path}`", read.name)),
                    );
                }
            } else if let (Some(env), Some(EnvRole::Real)) = (file.env(), env_role(path)) {
                for entry in &env.entries {
                    if keys.contains(entry.key.as_str()) || ignored(&entry.key) {
                        continue;
                    }
                    sink.push(
                        Diagnostic::new(file.id, entry.key_span, format!("`{}` is set here but missing from `{example_path}`", entry.key))
                            .help(format!("add `{}=` (name and a placeholder, never the value) to `{example_path}`", entry.key))
                            .redact(entry.inner_span),
                    );
                }
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
