use crate::declare_rule;
use crate::document::Project;
use crate::document::dockerfile::{Body, Keyword};
use crate::finding::{Diagnostic, FileId};
use crate::rules::docker::{dockerfile, final_from};
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// The final stage should declare a `HEALTHCHECK`.
    ///
    /// ## Why it matters
    /// Without a health check, Docker and Compose report a wedged process as running, restarts
    /// never happen and `depends_on: condition: service_healthy` cannot work. A `HEALTHCHECK` in
    /// the final stage, or in a stage it is built `FROM`, counts; `HEALTHCHECK NONE` (which turns
    /// off a base image's check) is reported. Off by default, because orchestrators such as
    /// Kubernetes ignore `HEALTHCHECK` and use probes instead; on in the `strict` pack. The finding
    /// is on the final `FROM`.
    ///
    /// ## Violating example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// ## Compliant example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fs http://localhost/ || exit 1
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Dockerfile reference, `HEALTHCHECK`.
    /// - CIS Docker Benchmark 4.6, "Ensure that HEALTHCHECK instructions have been added".
    pub struct RequireHealthcheck {}
    id: "docker/require-healthcheck",
    level: Off,
    summary: "The final stage should declare a HEALTHCHECK",
}

impl Rule for RequireHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((df, _)) = dockerfile(project, file) else {
            return;
        };
        let Some(mut stage) = df.final_stage() else {
            return;
        };
        let Some(anchor) = final_from(df) else { return };
        let last_check = loop {
            let found = df.instructions[stage.instructions.clone()]
                .iter()
                .rev()
                .find(|i| i.keyword == Keyword::Healthcheck);
            if found.is_some() {
                break found;
            }
            match stage
                .parent
                .filter(|&p| p < stage.index)
                .and_then(|p| df.stages.get(p))
            {
                Some(parent) => stage = parent,
                None => break None,
            }
        };
        match last_check {
            Some(i) if matches!(i.body, Body::Healthcheck(None)) => sink.push(
                Diagnostic::new(file, i.span, "`HEALTHCHECK NONE` turns the container's health check off")
                    .help("declare `HEALTHCHECK CMD …` that probes the service"),
            ),
            Some(_) => {}
            None => sink.push(
                Diagnostic::new(file, anchor, "the final stage declares no HEALTHCHECK")
                    .help("add `HEALTHCHECK CMD …` that probes the service, e.g. `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]`"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::docker::check;

    const RULE: &str = "docker/require-healthcheck";

    #[test]
    fn missing_and_disabled_checks_are_reported() {
        assert_eq!(
            check(RULE, "FROM a:1 AS b\nHEALTHCHECK CMD true\nFROM nginx:1\n"),
            vec!["3:1 the final stage declares no HEALTHCHECK"]
        );
        assert_eq!(
            check(RULE, "FROM nginx:1\nHEALTHCHECK NONE\n"),
            vec!["2:1 `HEALTHCHECK NONE` turns the container's health check off"]
        );
    }

    #[test]
    fn own_or_inherited_checks_pass() {
        assert!(
            check(
                RULE,
                "FROM nginx:1\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/\n"
            )
            .is_empty()
        );
        assert!(
            check(
                RULE,
                "FROM nginx:1 AS base\nHEALTHCHECK CMD [\"true\"]\nFROM base\n"
            )
            .is_empty()
        );
    }
}
