use crate::declare_rule;
use crate::document::Project;
use crate::document::dockerfile::Principal;
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// The final stage switches back to root after having dropped to a non-root user.
    ///
    /// ## Why it matters
    /// Dropping privileges with `USER app` and then writing `USER root` for one more install step
    /// is common; forgetting to switch back leaves the container running as root although the
    /// Dockerfile reads as if it did not. This finding points at the `USER root` that ends the
    /// stage and at the non-root `USER` it undoes. (`docker/require-non-root-user` reports the
    /// resulting root container too; this rule explains how it happened.)
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// USER app
    /// COPY . /app
    /// USER root
    /// RUN pip install -r /app/requirements.txt
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// RUN pip install -r /app/requirements.txt
    /// USER app
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Hadolint DL3002, "Last USER should not be root".
    pub struct NoRootAfterUser {}
    id: "docker/no-root-after-user",
    level: Warning,
    summary: "The final stage switches back to root after a non-root USER",
}

impl Rule for NoRootAfterUser {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        let Some(last) = df.final_stage() else { return };
        let chain = df.user_chain(last.index);
        let Some((_, final_user)) = chain.last() else {
            return;
        };
        if final_user.principal() != Principal::Root {
            return;
        }
        let Some((_, dropped)) = chain
            .iter()
            .rev()
            .find(|(_, u)| u.principal() == Principal::NonRoot)
        else {
            return;
        };
        sink.push(
            Diagnostic::new(
                file,
                final_user.span,
                format!("`USER {}` switches back to root after `USER {}`, and the stage ends as root", final_user.raw, dropped.raw),
            )
            .help(format!("add `USER {}` after the steps that need root, or move those steps before the first USER", dropped.raw))
            .related(file, dropped.span, "the non-root user set here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/no-root-after-user";

    #[test]
    fn switching_back_to_root_is_reported() {
        assert_eq!(
            check(
                RULE,
                "FROM python:3.12\nUSER app\nUSER root\nRUN pip install x\n"
            ),
            vec![
                "3:6 `USER root` switches back to root after `USER app`, and the stage ends as root"
            ]
        );
        // Across a FROM <stage> chain.
        assert_eq!(
            check(RULE, "FROM alpine AS base\nUSER 1000\nFROM base\nUSER 0\n"),
            vec![
                "4:6 `USER 0` switches back to root after `USER 1000`, and the stage ends as root"
            ]
        );
    }

    #[test]
    fn temporary_root_and_plain_root_pass() {
        assert!(
            check(
                RULE,
                "FROM alpine\nUSER app\nUSER root\nRUN apk add x\nUSER app\n"
            )
            .is_empty()
        );
        assert!(check(RULE, "FROM alpine\nUSER root\n").is_empty());
        // A builder stage that ends as root is not the final stage.
        assert!(
            check(
                RULE,
                "FROM alpine AS b\nUSER app\nUSER root\nFROM alpine\nUSER app\n"
            )
            .is_empty()
        );
    }
}
