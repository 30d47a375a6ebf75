//! Build stages and the user each stage runs as.
//!
//! Variable scopes follow BuildKit: `FROM` lines see only the `ARG`s declared before the first
//! `FROM` (plus the automatic platform args); inside a stage, `ARG` (re)declarations and `ENV` are
//! visible, and a stage built `FROM` an earlier stage inherits that stage's environment and user.

use std::collections::BTreeMap;
use std::ops::Range;

use super::words::{Expanded, Lookup, expand};
use super::{Body, Dockerfile, ImageRef, Keyword, ParseDiagnostic};
use crate::source::Span;

/// Args BuildKit defines for every `FROM` line; their values depend on the build invocation.
const PLATFORM_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Index of the `FROM` instruction.
    pub from: usize,
    /// The image word as written and where it is.
    pub image_raw: String,
    pub image_span: Span,
    /// The image after substituting global args.
    pub image: ImageRef,
    /// Args in the image reference whose value is only known at build time.
    pub image_unresolved: Vec<String>,
    /// The `AS` name, lower-cased as BuildKit compares it.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// The earlier stage this one is built `FROM`.
    pub parent: Option<usize>,
    /// Instruction indices after the `FROM`.
    pub instructions: Range<usize>,
    pub users: Vec<UserDecl>,
    /// Environment at the end of the stage (inherited by stages built from it).
    pub env: BTreeMap<String, Lookup>,
}

/// A `USER` instruction with its substituted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDecl {
    pub instruction: usize,
    /// The argument word.
    pub span: Span,
    pub raw: String,
    pub value: String,
    pub unresolved: Vec<String>,
}

impl UserDecl {
    pub fn principal(&self) -> Principal {
        if !self.unresolved.is_empty() {
            return Principal::Unresolved;
        }
        classify_user(&self.value)
    }
}

/// Who a container runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Root,
    NonRoot,
    /// Depends on build arguments (or resolves to nothing).
    Unresolved,
}

/// `root`, `0` and any `root:group`/`0:group` are root; an empty user is unresolved; any other
/// name or id is not root.
pub fn classify_user(value: &str) -> Principal {
    let user = value.split(':').next().unwrap_or_default().trim();
    if user.is_empty() {
        Principal::Unresolved
    } else if user == "root" || user.parse::<u64>().is_ok_and(|uid| uid == 0) {
        Principal::Root
    } else {
        Principal::NonRoot
    }
}

/// Where a stage's effective user comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserOrigin {
    /// A `USER` instruction, in this stage or a stage it is built from.
    User { stage: usize, decl: UserDecl },
    /// No `USER` anywhere in the chain: the default of the base image of `stage`.
    BaseImage {
        stage: usize,
        image: String,
        span: Span,
        allow_listed: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveUser {
    pub principal: Principal,
    pub origin: UserOrigin,
}

/// Well-known images whose default user is not root (globs over `name:tag` as written), with
/// the user each image's own Dockerfile sets. Documented in `docker/require-non-root-user`;
/// a policy extends it with `extra-non-root-images`. An image not listed is root unless a `USER`
/// says otherwise.
pub const DEFAULT_NON_ROOT_IMAGES: &[&str] = &[
    // distroless `:nonroot` tags: USER 65532
    "gcr.io/distroless/*:nonroot",
    "gcr.io/distroless/*:nonroot-*",
    "gcr.io/distroless/*:debug-nonroot",
    "gcr.io/distroless/*:debug-nonroot-*",
    // Chainguard images: USER 65532 (nonroot)
    "cgr.dev/chainguard/*",
    // grafana/k6: USER k6 (12345); grafana/grafana: USER 472
    "grafana/k6",
    "grafana/k6:*",
    "docker.io/grafana/k6",
    "docker.io/grafana/k6:*",
    "grafana/grafana",
    "grafana/grafana:*",
    "docker.io/grafana/grafana",
    "docker.io/grafana/grafana:*",
    // NGINX's unprivileged image: USER 101
    "nginxinc/nginx-unprivileged",
    "nginxinc/nginx-unprivileged:*",
    "docker.io/nginxinc/nginx-unprivileged",
    "docker.io/nginxinc/nginx-unprivileged:*",
    // Bitnami images: USER 1001
    "bitnami/*",
    "docker.io/bitnami/*",
    // Microsoft's chiseled .NET images: USER app (1654)
    "mcr.microsoft.com/dotnet/*:*-chiseled*",
    // CircleCI convenience images: USER circleci
    "cimg/*",
];

impl Dockerfile {
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The user `stage` ends with. `non_root_image` says whether a base image defaults to a
    /// non-root user.
    pub fn effective_user(
        &self,
        stage: usize,
        non_root_image: &dyn Fn(&ImageRef) -> bool,
    ) -> Option<EffectiveUser> {
        let mut current = self.stages.get(stage)?;
        // Parents always come earlier, so this walk ends.
        loop {
            if let Some(decl) = current.users.last() {
                return Some(EffectiveUser {
                    principal: decl.principal(),
                    origin: UserOrigin::User {
                        stage: current.index,
                        decl: decl.clone(),
                    },
                });
            }
            match current.parent.and_then(|p| self.stages.get(p)) {
                Some(parent) if parent.index < current.index => current = parent,
                _ => break,
            }
        }
        let allow_listed = current.image_unresolved.is_empty() && non_root_image(&current.image);
        Some(EffectiveUser {
            principal: if allow_listed {
                Principal::NonRoot
            } else {
                Principal::Root
            },
            origin: UserOrigin::BaseImage {
                stage: current.index,
                image: current.image_raw.clone(),
                span: current.image_span,
                allow_listed,
            },
        })
    }

    /// Every `USER` that applies to `stage`, ancestors first.
    pub fn user_chain(&self, stage: usize) -> Vec<(usize, &UserDecl)> {
        let mut chain = Vec::new();
        let mut next = self.stages.get(stage);
        while let Some(s) = next {
            chain.extend(s.users.iter().rev().map(|u| (s.index, u)));
            next = s
                .parent
                .filter(|&p| p < s.index)
                .and_then(|p| self.stages.get(p));
        }
        chain.reverse();
        chain
    }
}

/// Builds `df.stages` and `df.global_args` from the instructions, reporting stage errors.
pub(super) fn build(df: &mut Dockerfile) {
    let mut global: BTreeMap<String, Lookup> = PLATFORM_ARGS
        .iter()
        .map(|a| (a.to_string(), Lookup::Unknown))
        .collect();
    let mut stages: Vec<Stage> = Vec::new();
    let mut diagnostics: Vec<ParseDiagnostic> = Vec::new();
    let escape = df.escape;
    // Per-stage scope: ENV (inherited) and ARG values.
    let mut env: BTreeMap<String, Lookup> = BTreeMap::new();
    let mut args: BTreeMap<String, Lookup> = BTreeMap::new();

    for (i, instr) in df.instructions.iter().enumerate() {
        if instr.keyword == Keyword::From {
            if let Some(last) = stages.last_mut() {
                last.instructions.end = i;
                last.env = std::mem::take(&mut env);
            }
            let Body::From { image, alias } = &instr.body else {
                // FROM without arguments: already reported; keep the stage so indices stay true.
                stages.push(empty_stage(stages.len(), i, instr.keyword_span));
                args.clear();
                continue;
            };
            let lookup = |name: &str| global.get(name).cloned().unwrap_or(Lookup::Unset);
            let expanded = expand(&image.raw, escape, &lookup);
            if let Some((_, msg)) = &expanded.error {
                diagnostics.push(ParseDiagnostic {
                    span: image.span,
                    message: msg.clone(),
                });
            }
            let lowered = expanded.value.to_ascii_lowercase();
            let parent = stages
                .iter()
                .position(|s| s.name.as_deref() == Some(lowered.as_str()));
            let name = alias.as_ref().map(|a| a.raw.to_ascii_lowercase());
            if let (Some(n), Some(a)) = (&name, alias) {
                if stages.iter().any(|s| s.name.as_ref() == Some(n)) {
                    diagnostics.push(ParseDiagnostic {
                        span: a.span,
                        message: format!("duplicate stage name `{n}`"),
                    });
                }
            }
            env = parent
                .and_then(|p| stages.get(p))
                .map(|p| p.env.clone())
                .unwrap_or_default();
            args.clear();
            stages.push(Stage {
                index: stages.len(),
                from: i,
                image_raw: image.raw.clone(),
                image_span: image.span,
                image: ImageRef::parse(&expanded.value),
                image_unresolved: expanded.unresolved.clone(),
                name,
                name_span: alias.as_ref().map(|a| a.span),
                parent,
                instructions: i + 1..i + 1,
                users: Vec::new(),
                env: BTreeMap::new(),
            });
            continue;
        }
        let Some(stage) = stages.last_mut() else {
            if instr.keyword == Keyword::Arg {
                df.global_args.push(i);
                if let Body::KeyValues(kvs) = &instr.body {
                    for kv in kvs {
                        let value = match &kv.value {
                            Some(v) => {
                                let lookup =
                                    |name: &str| global.get(name).cloned().unwrap_or(Lookup::Unset);
                                resolved(expand(&v.raw, escape, &lookup))
                            }
                            None => Lookup::Unknown,
                        };
                        global.insert(kv.key.clone(), value);
                    }
                }
            } else if instr.keyword != Keyword::Unknown {
                diagnostics.push(ParseDiagnostic {
                    span: instr.keyword_span,
                    message: format!(
                        "{} before the first FROM: only ARG may come before FROM",
                        instr.keyword_text.to_ascii_uppercase()
                    ),
                });
            }
            continue;
        };
        stage.instructions.end = i + 1;
        match (&instr.keyword, &instr.body) {
            (Keyword::Env, Body::KeyValues(kvs)) => {
                for kv in kvs {
                    let value = kv.value.as_ref().map_or(Lookup::Known(String::new()), |v| {
                        resolved(expand(&v.raw, escape, &|n| scoped(&env, &args, n)))
                    });
                    env.insert(kv.key.clone(), value);
                }
            }
            (Keyword::Arg, Body::KeyValues(kvs)) => {
                for kv in kvs {
                    let value = match &kv.value {
                        Some(v) => resolved(expand(&v.raw, escape, &|n| scoped(&env, &args, n))),
                        // `ARG NAME` in a stage imports the global default, if any.
                        None => global.get(&kv.key).cloned().unwrap_or(Lookup::Unknown),
                    };
                    args.insert(kv.key.clone(), value);
                }
            }
            (Keyword::User, Body::User(word)) => {
                let e = expand(&word.raw, escape, &|n| scoped(&env, &args, n));
                if let Some((_, msg)) = &e.error {
                    diagnostics.push(ParseDiagnostic {
                        span: word.span,
                        message: msg.clone(),
                    });
                }
                stage.users.push(UserDecl {
                    instruction: i,
                    span: word.span,
                    raw: word.raw.clone(),
                    value: e.value,
                    unresolved: e.unresolved,
                });
            }
            _ => {}
        }
    }
    if let Some(last) = stages.last_mut() {
        last.env = env;
    }
    if stages.is_empty() && !df.instructions.is_empty() {
        let span = df
            .instructions
            .last()
            .map_or(Span::empty(0), |i| i.keyword_span);
        diagnostics.push(ParseDiagnostic {
            span,
            message: "no FROM instruction: a Dockerfile needs at least one build stage".into(),
        });
    }
    df.stages = stages;
    df.diagnostics.extend(diagnostics);
}

/// ENV shadows ARG of the same name.
fn scoped(env: &BTreeMap<String, Lookup>, args: &BTreeMap<String, Lookup>, name: &str) -> Lookup {
    env.get(name)
        .or_else(|| args.get(name))
        .cloned()
        .unwrap_or(Lookup::Unset)
}

fn resolved(e: Expanded) -> Lookup {
    if e.is_resolved() {
        Lookup::Known(e.value)
    } else {
        Lookup::Unknown
    }
}

fn empty_stage(index: usize, from: usize, span: Span) -> Stage {
    Stage {
        index,
        from,
        image_raw: String::new(),
        image_span: span,
        image: ImageRef::parse(""),
        image_unresolved: Vec::new(),
        name: None,
        name_span: None,
        parent: None,
        instructions: from + 1..from + 1,
        users: Vec::new(),
        env: BTreeMap::new(),
    }
}
