use crate::declare_rule;
use crate::document::Project;
use crate::document::dockerfile::{Principal, UserOrigin};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::dockerfile;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// The final stage's `USER` depends on a build argument, so whether it is root is unknown.
    ///
    /// ## Why it matters
    /// `USER $UID` with `ARG UID` and no default runs as whatever the build passes, and as an empty
    /// user (a build error) when nothing is passed. tollgate cannot prove the image is non-root, so
    /// instead of staying silent it says so. Give the argument a non-root default
    /// (`ARG UID=10001`) or use `${UID:-10001}`.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG UID
    /// USER $UID
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG UID=10001
    /// USER $UID
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Dockerfile reference, "Environment replacement" and `ARG`.
    pub struct UnresolvedUser {}
    id: "docker/unresolved-user",
    level: Warning,
    summary: "The final stage's USER depends on a build argument",
}

impl Rule for UnresolvedUser {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        let Some(last) = df.final_stage() else { return };
        let Some(user) = df.effective_user(last.index, &|_| false) else {
            return;
        };
        let (Principal::Unresolved, UserOrigin::User { decl, .. }) = (user.principal, &user.origin)
        else {
            return;
        };
        let message = if decl.unresolved.is_empty() {
            format!("`USER {}` resolves to an empty user", decl.raw)
        } else {
            let names: Vec<String> = decl.unresolved.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "`USER {}` depends on build argument {}: the final stage may run as root",
                decl.raw,
                names.join(", ")
            )
        };
        sink.push(Diagnostic::new(file, decl.span, message).help(
            "give the argument a non-root default (`ARG UID=10001`) or write `${UID:-10001}`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/unresolved-user";

    #[test]
    fn unresolved_and_empty_users_are_reported() {
        assert_eq!(
            check(RULE, "FROM alpine\nARG UID\nUSER $UID:${GID:-1}\n"),
            vec![
                "3:6 `USER $UID:${GID:-1}` depends on build argument `UID`: the final stage may run as root"
            ]
        );
        assert_eq!(
            check(RULE, "FROM alpine\nUSER ${NOPE}\n"),
            vec!["2:6 `USER ${NOPE}` resolves to an empty user"]
        );
    }

    #[test]
    fn resolved_users_pass() {
        assert!(check(RULE, "FROM alpine\nARG UID=10001\nUSER $UID\n").is_empty());
        assert!(check(RULE, "FROM alpine\nARG UID\nUSER ${UID:-10001}\n").is_empty());
        // An unresolved USER that a later USER overrides does not matter.
        assert!(check(RULE, "FROM alpine\nARG UID\nUSER $UID\nUSER app\n").is_empty());
    }
}
