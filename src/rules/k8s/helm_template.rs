use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A Helm template was skipped: `{{ … }}` makes it a template, not YAML.
    ///
    /// ## Why it matters
    /// Template directives are not YAML, and a template's final shape depends on its values, so
    /// checking the raw file would report nonsense. tollgate says which files it skipped so that a
    /// chart is never mistaken for a checked one: render it (`helm template`) and check the output.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: {{ .Release.Name }}
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// # rendered with `helm template my-release ./chart > rendered/all.yaml`
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: my-release
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - `helm template`: <https://helm.sh/docs/helm/helm_template/>
    pub struct HelmTemplate {}
    id: "k8s/helm-template",
    level: Note,
    summary: "Helm template skipped, not checked",
}

impl Rule for HelmTemplate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let parsed = project.file(file);
        let Some(span) = parsed.k8s().and_then(|k8s| k8s.helm_template) else {
            return;
        };
        let message = format!(
            "`{}` is a Helm template (`{{{{ … }}}}`), not YAML: skipped, not checked",
            parsed.source.path
        );
        let help = "check the rendered chart instead (`helm template <release> <chart>`), or exclude chart templates from the k8s globs";
        sink.push(Diagnostic::new(file, span, message).help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn template_is_named() {
        let found = run(
            &HelmTemplate::default(),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
        );
        assert_eq!(
            found,
            vec![
                "4:9 `manifest.yaml` is a Helm template (`{{ … }}`), not YAML: skipped, not checked"
            ]
        );
    }

    #[test]
    fn plain_manifest_is_not_a_template() {
        assert!(run(&HelmTemplate::default(), "apiVersion: v1\nkind: Pod\n").is_empty());
    }
}
