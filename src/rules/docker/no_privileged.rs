use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// Compose services must not run `privileged: true`.
    ///
    /// ## Why it matters
    /// A privileged container gets every capability, every host device and no seccomp or
    /// AppArmor confinement: root in it is root on the host. Grant the one capability the service
    /// needs with `cap_add:` (and `cap_drop: [ALL]` for the rest), or mount the one device with
    /// `devices:`. Values shared through `x-` anchors and `<<` merge keys are followed; the
    /// finding points where `privileged: true` is written.
    ///
    /// ## Violating example
    /// ```compose
    /// services:
    ///   agent:
    ///     image: monitoring/agent:2.4
    ///     privileged: true
    /// ```
    ///
    /// ## Compliant example
    /// ```compose
    /// services:
    ///   agent:
    ///     image: monitoring/agent:2.4
    ///     cap_drop: [ALL]
    ///     cap_add: [SYS_PTRACE]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Compose specification, `privileged`, `cap_add`.
    /// - CIS Docker Benchmark 5.4, "Ensure that privileged containers are not used".
    pub struct NoPrivileged {}
    id: "docker/no-privileged",
    level: Error,
    summary: "Compose services must not run privileged",
}

impl Rule for NoPrivileged {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(compose) = project.files.get(file).and_then(|f| f.compose()) else {
            return;
        };
        for service in &compose.services {
            let Some(flag) = &service.privileged else {
                continue;
            };
            if flag.as_bool() == Some(true) {
                sink.push(
                    Diagnostic::new(file, flag.span, format!("service `{}` runs privileged", service.name))
                        .help("remove `privileged: true`; add only the capabilities it needs with `cap_add:` after `cap_drop: [ALL]`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::document::FileKind;
    use crate::testing::check_kind;

    const RULE: &str = "docker/no-privileged";

    #[test]
    fn privileged_services_are_reported() {
        let text = "x-priv: &priv\n  privileged: yes\nservices:\n  a:\n    privileged: true\n  b:\n    <<: *priv\n  c:\n    privileged: \"true\"\n  d:\n    privileged: false\n";
        assert_eq!(
            check_kind(RULE, FileKind::Compose, &[("compose.yaml", text)]),
            vec![
                "compose.yaml:2:15 service `b` runs privileged",
                "compose.yaml:5:17 service `a` runs privileged",
                "compose.yaml:9:17 service `c` runs privileged"
            ]
        );
    }
}
