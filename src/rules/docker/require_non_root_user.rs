use globset::GlobSet;

use crate::declare_rule;
use crate::document::Project;
use crate::document::compose::ComposeFile;
use crate::document::dockerfile::stages::DEFAULT_NON_ROOT_IMAGES;
use crate::document::dockerfile::stages::classify_user;
use crate::document::dockerfile::words::{Lookup, expand};
use crate::document::dockerfile::{Dockerfile, ImageRef, Principal, UserOrigin};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::{dockerfile, final_from};
use crate::rules::{Rule, RuleMeta, Sink, compile_globs};

declare_rule! {
    /// The final stage of a Dockerfile must not run as root.
    ///
    /// ## Why it matters
    /// A process running as root inside a container is root on the host's kernel: a container
    /// escape or a writable host mount turns an application bug into a host compromise. The user
    /// that matters is the effective user of the final stage: the last `USER` of that stage, or of
    /// the stage it is built `FROM` (recursively), or else the base image's default user. Images
    /// known to default to a non-root user count as non-root (distroless `:nonroot` and
    /// `:debug-nonroot`, Chainguard images, and patterns you add). `USER root`, `USER 0`,
    /// `USER 0:0`, `USER root:root`, and a `USER` whose variable resolves to one of these are root.
    /// Builder stages may run as root. With no `USER` at all the finding is on the final `FROM`,
    /// where it can be suppressed. A `USER` that depends on a build argument is reported by
    /// `docker/unresolved-user` instead.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /app .
    /// FROM debian:12-slim
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// USER 65532:65532
    /// ENTRYPOINT ["/app"]
    /// ```
    ///
    /// ## Options
    /// - `non-root-images` (list of globs over `image:tag` as written): base images whose default
    ///   user is not root. Setting it replaces the defaults, a table of well-known images and the
    ///   user their own Dockerfile sets: distroless `*:nonroot*` and `*:debug-nonroot*` (65532),
    ///   `cgr.dev/chainguard/*` (65532), `grafana/k6` (k6) and `grafana/grafana` (472),
    ///   `nginxinc/nginx-unprivileged` (101), `bitnami/*` (1001), Microsoft's chiseled .NET
    ///   images `mcr.microsoft.com/dotnet/*:*-chiseled*` (app), `cimg/*` (circleci), each with
    ///   and without a `docker.io/` prefix. Any other image runs as root unless a `USER` says
    ///   otherwise.
    /// - `extra-non-root-images` (list of globs, default `[]`): added to `non-root-images`.
    ///
    /// ## References
    /// - Dockerfile reference, `USER`.
    /// - CIS Docker Benchmark 4.1, "Ensure that a user for the container has been created".
    /// - Kubernetes Pod Security Standards, restricted profile (`runAsNonRoot`).
    pub struct RequireNonRootUser {
        /// Globs over `image:tag` of base images that run as a non-root user by default.
        non_root_images: Vec<String>,
        /// More globs, added to `non-root-images`.
        extra_non_root_images: Vec<String>,
        /// Both lists, compiled by `prepare`.
        #[serde(skip)]
        non_root: GlobSet,
    }
    id: "docker/require-non-root-user",
    level: Error,
    summary: "The final stage of a Dockerfile must not run as root",
}

impl Default for RequireNonRootUser {
    fn default() -> Self {
        Self {
            non_root_images: DEFAULT_NON_ROOT_IMAGES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            extra_non_root_images: Vec::new(),
            non_root: GlobSet::empty(),
        }
    }
}

/// Describes a stage for messages: its name, or its image.
pub(crate) fn stage_label(df: &Dockerfile, stage: usize) -> String {
    df.stages
        .get(stage)
        .map_or_else(String::new, |s| match &s.name {
            Some(name) => format!("stage `{name}`"),
            None => format!("stage {} (`{}`)", s.index + 1, s.image_raw),
        })
}

impl Rule for RequireNonRootUser {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn prepare(&mut self) -> Result<(), String> {
        let all: Vec<String> = self
            .non_root_images
            .iter()
            .chain(&self.extra_non_root_images)
            .cloned()
            .collect();
        let option = if self.extra_non_root_images.is_empty() {
            "non-root-images"
        } else {
            "non-root-images`/`extra-non-root-images"
        };
        self.non_root = compile_globs(option, &all)?;
        Ok(())
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        if let Some(compose) = project.files.get(file).and_then(|f| f.compose()) {
            check_compose(file, compose, sink);
            return;
        }
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        let Some(last) = df.final_stage() else { return };
        let non_root = |image: &ImageRef| self.non_root.is_match(image.name_and_tag());
        let Some(user) = df.effective_user(last.index, &non_root) else {
            return;
        };
        if user.principal != Principal::Root {
            return;
        }
        let help = "add `USER <uid>:<gid>` (for example `USER 65532:65532`) after the last step that needs root, or build FROM an image that runs as non-root (such as `gcr.io/distroless/static-debian12:nonroot`)";
        let diag = match &user.origin {
            UserOrigin::User { stage, decl } => {
                let inherited = if *stage == last.index {
                    String::new()
                } else {
                    format!(" (inherited from {})", stage_label(df, *stage))
                };
                let mut d = Diagnostic::new(
                    file,
                    decl.span,
                    format!(
                        "the final stage runs as root: `USER {}` resolves to `{}`{inherited}",
                        decl.raw, decl.value
                    ),
                )
                .help(help);
                if *stage != last.index {
                    if let Some(from) = final_from(df) {
                        d = Diagnostic::new(file, from, d.message.clone())
                            .help(help)
                            .related(file, decl.span, "root is set here");
                    }
                }
                d
            }
            UserOrigin::BaseImage {
                stage, image, span, ..
            } => {
                let Some(from) = final_from(df) else { return };
                let via = if *stage == last.index {
                    String::new()
                } else {
                    format!(" (built from {})", stage_label(df, *stage))
                };
                let mut d = Diagnostic::new(
                    file,
                    from,
                    format!("the final stage runs as root: no USER instruction{via}, and base image `{image}` runs as root by default"),
                )
                .help(help);
                if *stage != last.index {
                    d = d.related(file, *span, "base image of the chain");
                }
                d
            }
        };
        sink.push(diag);
    }
}

/// Compose: a service whose `user:` is root. Services without `user:` run as their image's user,
/// which the image's Dockerfile is checked for.
fn check_compose(file: FileId, compose: &ComposeFile, sink: &mut Sink) {
    for service in &compose.services {
        let Some(user) = &service.user else { continue };
        // Compose interpolation: `${UID:-0}` uses its default when the variable is unset.
        let value = expand(&user.value, '\0', &|_| Lookup::Unknown);
        if !value.is_resolved() || classify_user(&value.value) != Principal::Root {
            continue;
        }
        sink.push(
            Diagnostic::new(file, user.span, format!("service `{}` runs as root: `user: {}`", service.name, user.value))
                .help("set `user: \"<uid>:<gid>\"` to a non-root user (for example `\"65532:65532\"`) or remove `user:` if the image already runs as non-root"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/require-non-root-user";

    #[test]
    fn no_user_is_reported_on_the_final_from() {
        let found = check(
            RULE,
            "FROM golang:1.22 AS build\nRUN go build\n\nFROM debian:12-slim\nCOPY --from=build /app /app\n",
        );
        assert_eq!(
            found,
            vec![
                "4:1 the final stage runs as root: no USER instruction, and base image `debian:12-slim` runs as root by default"
            ]
        );
    }

    #[test]
    fn explicit_root_users_are_reported_on_the_user() {
        for user in ["root", "0", "0:0", "root:root"] {
            let found = check(RULE, &format!("FROM alpine:3.20\nUSER app\nUSER {user}\n"));
            assert_eq!(
                found,
                vec![format!(
                    "3:6 the final stage runs as root: `USER {user}` resolves to `{user}`"
                )]
            );
        }
        let found = check(RULE, "FROM alpine:3.20\nARG RUN_AS=0\nUSER ${RUN_AS}\n");
        assert_eq!(
            found,
            vec!["3:6 the final stage runs as root: `USER ${RUN_AS}` resolves to `0`"]
        );
    }

    #[test]
    fn non_root_users_and_images_pass() {
        assert!(check(RULE, "FROM alpine:3.20\nUSER 10001:10001\n").is_empty());
        assert!(
            check(
                RULE,
                "FROM golang AS b\nFROM gcr.io/distroless/static-debian12:nonroot\n"
            )
            .is_empty()
        );
        assert!(check(RULE, "FROM cgr.dev/chainguard/python:latest\n").is_empty());
        // Builder stages may be root; inheritance through FROM <stage> counts.
        assert!(check(RULE, "FROM alpine AS base\nUSER app\nFROM base\nRUN true\n").is_empty());
        // Unresolved users belong to docker/unresolved-user.
        assert!(check(RULE, "FROM alpine\nARG UID\nUSER $UID\n").is_empty());
    }

    #[test]
    fn inherited_root_is_reported_on_the_final_from() {
        let found = check(RULE, "FROM alpine AS base\nUSER root\nFROM base\n");
        assert_eq!(
            found,
            vec![
                "3:1 the final stage runs as root: `USER root` resolves to `root` (inherited from stage `base`)"
            ]
        );
        let found = check(RULE, "FROM alpine AS base\nFROM base AS mid\nFROM mid\n");
        assert_eq!(
            found,
            vec![
                "3:1 the final stage runs as root: no USER instruction (built from stage `base`), and base image `alpine` runs as root by default"
            ]
        );
    }

    #[test]
    fn compose_root_users_are_reported() {
        let text = "services:\n  api:\n    user: root\n  job:\n    user: \"0:0\"\n  web:\n    user: \"${WEB_UID:-0}\"\n  ok:\n    user: \"1000:1000\"\n  unset:\n    image: nginx\n";
        let found = crate::testing::check_kind(
            RULE,
            crate::document::FileKind::Compose,
            &[("compose.yaml", text)],
        );
        assert_eq!(
            found,
            vec![
                "compose.yaml:3:11 service `api` runs as root: `user: root`",
                "compose.yaml:5:11 service `job` runs as root: `user: 0:0`",
                "compose.yaml:7:11 service `web` runs as root: `user: ${WEB_UID:-0}`"
            ]
        );
    }

    #[test]
    fn allow_list_is_configurable() {
        let mut rule: super::RequireNonRootUser =
            toml::from_str("extra-non-root-images = [\"registry.example.com/base/*\"]")
                .unwrap_or_default();
        crate::rules::Rule::prepare(&mut rule).unwrap();
        let m = &rule.non_root;
        assert!(m.is_match("registry.example.com/base/python:3.12"));
        assert!(m.is_match("gcr.io/distroless/static:nonroot"));
        assert!(!m.is_match("gcr.io/distroless/static:latest"));
    }
}
