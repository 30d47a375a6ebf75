use globset::GlobSet;

use crate::declare_rule;
use crate::document::Project;
use crate::document::dockerfile::{Body, Keyword};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink, compile_globs};

declare_rule! {
    /// `COPY`/`ADD` must not put env files, private keys or credential files into the image.
    ///
    /// ## Why it matters
    /// Anything copied into a layer stays in the image forever, even if a later `RUN rm` deletes
    /// it, and images are pushed to registries and pulled by many more people than can read the
    /// secrets store. `.env` files, `*.pem`/`*.key` private keys, `id_rsa`, `.npmrc`, `.netrc`,
    /// cloud credential files are all secrets. Pass them at build time with
    /// `RUN --mount=type=secret`, at run time as orchestrator secrets, and list them in
    /// `.dockerignore`. Sources are matched by file name (the last path component).
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY .env package.json /app/
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package.json /app/
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Options
    /// - `patterns` (list of globs over file names): the secret-looking names. Default: `.env`,
    ///   `.env.*`, `*.env`, `*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `id_rsa`, `id_dsa`,
    ///   `id_ecdsa`, `id_ed25519`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
    ///   `credentials`, `credentials.json`, `*-credentials.json`, `service-account*.json`,
    ///   `*.tfvars`, `.htpasswd`.
    /// - `allowed` (list of globs over file names, default `.env.example`, `.env.sample`,
    ///   `.env.template`, `.env.dist`, `*.pub`): names that match a pattern but hold no secret.
    ///
    /// ## References
    /// - Docker docs, "Build secrets" (`RUN --mount=type=secret`).
    /// - CIS Docker Benchmark 4.10, "Ensure secrets are not stored in Dockerfiles".
    pub struct NoCopyEnvFile {
        /// Globs over file names that hold secrets.
        patterns: Vec<String>,
        /// Globs over file names that match `patterns` but are safe.
        allowed: Vec<String>,
        /// `patterns` and `allowed`, compiled by `prepare`.
        #[serde(skip)]
        compiled: (GlobSet, GlobSet),
    }
    id: "docker/no-copy-env-file",
    level: Error,
    summary: "COPY/ADD must not put env files, keys or credentials into the image",
}

const DEFAULT_PATTERNS: &[&str] = &[
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    "credentials",
    "credentials.json",
    "*-credentials.json",
    "service-account*.json",
    "*.tfvars",
    ".htpasswd",
];
const DEFAULT_ALLOWED: &[&str] = &[
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "*.pub",
];

impl Default for NoCopyEnvFile {
    fn default() -> Self {
        Self {
            patterns: DEFAULT_PATTERNS.iter().map(|s| s.to_string()).collect(),
            allowed: DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect(),
            compiled: (GlobSet::empty(), GlobSet::empty()),
        }
    }
}

impl Rule for NoCopyEnvFile {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.compiled = (
            compile_globs("patterns", &self.patterns)?,
            compile_globs("allowed", &self.allowed)?,
        );
        Ok(())
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        let (patterns, allowed) = &self.compiled;
        for instr in &df.instructions {
            let (Keyword::Copy | Keyword::Add, Body::Copy { sources, .. }) =
                (instr.keyword, &instr.body)
            else {
                continue;
            };
            for src in sources {
                if src.raw.starts_with("<<") || src.raw.contains("://") {
                    continue;
                }
                let path = src.raw.trim_matches(|c| c == '"' || c == '\'');
                let name = path
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(path);
                if name.is_empty() || !patterns.is_match(name) || allowed.is_match(name) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(
                        file,
                        src.span,
                        format!("`{} {path}` copies a secret-bearing file into the image", instr.keyword_text.to_ascii_uppercase()),
                    )
                    .help("pass it with `RUN --mount=type=secret,id=…` at build time or as a runtime secret, and add it to .dockerignore"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-copy-env-file";

    #[test]
    fn secret_files_are_reported_at_the_source() {
        let text = "FROM node:20\nCOPY .env package.json /app/\nADD --chown=app keys/id_rsa /home/app/.ssh/\nCOPY --from=build /src/config/prod.env /app/\nCOPY [\"tls.key\", \"/etc/tls/\"]\n";
        assert_eq!(
            check(RULE, text),
            vec![
                "2:6 `COPY .env` copies a secret-bearing file into the image",
                "3:17 `ADD keys/id_rsa` copies a secret-bearing file into the image",
                "4:19 `COPY /src/config/prod.env` copies a secret-bearing file into the image",
                "5:6 `COPY tls.key` copies a secret-bearing file into the image"
            ]
        );
    }

    #[test]
    fn examples_public_keys_and_ordinary_files_pass() {
        let text = "FROM node:20\nCOPY .env.example id_rsa.pub package.json /app/\nCOPY <<EOF /app/.env\nA=1\nEOF\nCOPY . .\n";
        assert!(check(RULE, text).is_empty());
    }
}
