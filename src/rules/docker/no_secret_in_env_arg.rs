use std::sync::LazyLock;

use regex::Regex;

use crate::declare_rule;
use crate::document::Project;
use crate::document::compose::ComposeFile;
use crate::document::dockerfile::words::{Lookup, expand};
use crate::document::dockerfile::{Body, Keyword, Word};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::secrets::{detect_value, is_placeholder, key_looks_secret, mask};

declare_rule! {
    /// `ENV` and `ARG` must not bake secrets into the image.
    ///
    /// ## Why it matters
    /// `ENV` values are stored in the image config and visible to anyone who can pull it
    /// (`docker inspect`); `ARG` defaults and values end up in `docker history` and the build
    /// cache. A key named like a credential (`DB_PASSWORD`, `STRIPE_SECRET_KEY`) holding a literal
    /// value, or any value a secret detector recognises (a GitHub token, an AWS key, a
    /// `service_role` JWT), is reported. Values that reference a variable (`$TOKEN`) or are
    /// placeholders (`changeme`, `<token>`) are not. The value is masked in messages and blanked
    /// in source snippets. Pass build secrets with `RUN --mount=type=secret,id=…` and runtime
    /// secrets through the orchestrator. Compose `environment:` entries are checked the same way.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM node:20-slim
    /// ENV DATABASE_PASSWORD=s3cr3t-Pr0d-passw0rd
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM node:20-slim
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Docker docs, "Build secrets"; BuildKit check `SecretsUsedInArgOrEnv`.
    /// - CIS Docker Benchmark 4.10, "Ensure secrets are not stored in Dockerfiles".
    pub struct NoSecretInEnvArg {}
    id: "docker/no-secret-in-env-arg",
    level: Error,
    summary: "ENV and ARG must not hold secrets",
}

/// What is wrong with one `key=value`, with the masked value; `None` when it is fine.
pub(crate) fn secret_problem(key: &str, literal: &str) -> Option<String> {
    if let Some(found) = detect_value(Some(key), literal) {
        return Some(format!(
            "`{key}` holds a secret: {}",
            found.summary(literal)
        ));
    }
    let value = literal.trim();
    (key_looks_secret(key) && !value.is_empty() && !is_placeholder(value)).then(|| {
        format!(
            "`{key}` is named like a secret and holds a literal value ({})",
            mask(value)
        )
    })
}

const HELP: &str = "remove the value; pass build-time secrets with `RUN --mount=type=secret,id=…` and runtime secrets from the orchestrator's secret store";

impl Rule for NoSecretInEnvArg {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        if let Some(compose) = project.files.get(file).and_then(|f| f.compose()) {
            check_compose(file, compose, sink);
            return;
        }
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        for instr in &df.instructions {
            let (Keyword::Env | Keyword::Arg, Body::KeyValues(kvs)) = (instr.keyword, &instr.body)
            else {
                continue;
            };
            let what = instr.keyword_text.to_ascii_uppercase();
            for kv in kvs {
                let Some(Word { raw, span }) = &kv.value else {
                    continue;
                };
                // A value that references a variable is not a literal; treat any reference as unknown.
                let literal = expand(raw, df.escape, &|_| Lookup::Unknown);
                if !literal.is_resolved() {
                    continue;
                }
                if let Some(problem) = secret_problem(&kv.key, &literal.value) {
                    sink.push(
                        Diagnostic::new(
                            file,
                            kv.key_span.cover(*span),
                            format!("{what} {problem}"),
                        )
                        .help(HELP)
                        .redact(*span),
                    );
                }
            }
        }
    }
}

/// Compose `environment:` entries. `$VAR`/`${VAR}` interpolate from the host, so such values are
/// references; `$$` is a literal `$`.
fn check_compose(file: FileId, compose: &ComposeFile, sink: &mut Sink) {
    for service in &compose.services {
        for entry in &service.environment {
            let (Some(value), Some(span)) = (&entry.value, entry.value_span) else {
                continue;
            };
            if INTERPOLATION.is_match(&value.replace("$$", "")) {
                continue;
            }
            let literal = value.replace("$$", "$");
            if let Some(problem) = secret_problem(&entry.key, &literal) {
                sink.push(
                    Diagnostic::new(file, span, format!("service `{}` environment {problem}", service.name))
                        .help("reference it instead (`KEY: ${KEY}`), or use Compose `secrets:` mounted as files")
                        .redact(span),
                );
            }
        }
    }
}

static INTERPOLATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$(\{|[A-Za-z_])").unwrap_or_else(|_| unreachable!()));

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-secret-in-env-arg";
    const TOKEN: &str = "ghp_Zq4Xw8Lk2Vb7Nm1Rt5Yp9Hs3Jd6Fg0CuEaTi";

    #[test]
    fn secret_named_keys_and_detected_values_are_reported_masked() {
        let text = format!(
            "ARG NPM_TOKEN=npm_Xy7Qw2Er5Ty8Ui1Op4As6Df9Gh3Jk0LzXcVb\nFROM node:20\nENV DB_PASSWORD=\"Tr0ub4dor&3-prod\" NODE_ENV=production\nENV GH={TOKEN}\nARG ADMIN_PASSWORD=Summer2024\nENV JWT_SECRET=abc\n"
        );
        let found = check(RULE, &text);
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(found[0].starts_with("1:5 ARG `NPM_TOKEN` "), "{found:?}");
        assert!(
            found[1].starts_with("3:5 ENV `DB_PASSWORD` holds a secret: "),
            "{found:?}"
        );
        assert!(
            found[2].starts_with("4:5 ENV `GH` holds a secret: GitHub"),
            "{found:?}"
        );
        assert_eq!(
            found[3],
            "5:5 ARG `ADMIN_PASSWORD` holds a secret: Random-looking value assigned to a secret-named key (10 chars, ****)"
        );
        assert_eq!(
            found[4],
            "6:5 ENV `JWT_SECRET` is named like a secret and holds a literal value (****)"
        );
        for line in &found {
            assert!(
                !line.contains(TOKEN)
                    && !line.contains("Tr0ub4dor")
                    && !line.contains("Summer2024"),
                "raw secret leaked: {line}"
            );
        }
    }

    #[test]
    fn compose_environment_is_checked_in_both_forms() {
        let text = format!(
            "services:\n  api:\n    environment:\n      DB_PASSWORD: \"Tr0ub4dor&3-prod\"\n      API_TOKEN: ${{API_TOKEN}}\n      NODE_ENV: production\n  bot:\n    environment:\n      - GH={TOKEN}\n      - PASSWORD=$${{NOT_A_REF}}x\n      - HOME\n"
        );
        let found = crate::testing::check_kind(
            RULE,
            crate::document::FileKind::Compose,
            &[("compose.yaml", &text)],
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with(
                "compose.yaml:4:20 service `api` environment `DB_PASSWORD` holds a secret"
            ),
            "{found:?}"
        );
        assert!(
            found[1].starts_with(
                "compose.yaml:9:9 service `bot` environment `GH` holds a secret: GitHub"
            ),
            "{found:?}"
        );
        assert!(
            found[2].starts_with("compose.yaml:10:9 service `bot` environment `PASSWORD`"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|l| !l.contains(TOKEN) && !l.contains("Tr0ub4dor"))
        );
    }

    #[test]
    fn references_placeholders_and_bare_args_pass() {
        let text = "ARG NPM_TOKEN\nFROM node:20\nENV API_TOKEN=$API_TOKEN DB_PASSWORD=changeme\nENV SECRET_KEY=\"<set at runtime>\" PASSWORD_FILE=/run/secrets/db\nENV NODE_ENV=production\n";
        assert_eq!(check(RULE, text), Vec::<String>::new());
    }
}
