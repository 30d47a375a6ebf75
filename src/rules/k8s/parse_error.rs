use crate::document::Project;
use crate::document::yaml::YamlErrorKind;
use crate::finding::{Diagnostic, FileId};
use crate::rules::k8s::Manifest;
use crate::rules::{Declared, Rule, RuleMeta, Sink};

crate::declare_rule! {
    /// A manifest document is not valid YAML, nests too deeply, expands too many aliases or repeats a key.
    ///
    /// ## Why it matters
    /// A document tollgate cannot read is a document nobody checked. Each `---` document is read on
    /// its own, so one broken document is reported here and the others are still checked. Aliases
    /// that expand exponentially (a "billion laughs" file) and absurd nesting are refused rather
    /// than allowed to exhaust memory, and duplicate keys are flagged because `kubectl` rejects them.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// spec:
    ///   containers: [{name: app, image: app:1.0}
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// spec:
    ///   containers: [{name: app, image: app:1.0}]
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - YAML 1.2 specification: <https://yaml.org/spec/1.2.2/>
    /// - Billion laughs attack: <https://en.wikipedia.org/wiki/Billion_laughs_attack>
    pub struct ParseError {}
    id: "k8s/parse-error",
    level: Error,
    summary: "Manifest document that cannot be read",
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        for error in &manifest.file.errors {
            let help = match error.kind {
                YamlErrorKind::Syntax => {
                    "fix the YAML syntax; the other documents of this file were still checked"
                }
                YamlErrorKind::TooDeep => {
                    "flatten the document; manifests never need this much nesting"
                }
                YamlErrorKind::AliasBudget => "replace the nested aliases with plain values",
                YamlErrorKind::DuplicateKey => {
                    "remove one of the duplicate keys; tollgate checked the last one"
                }
            };
            let message = format!("document {}: {}", error.document + 1, error.message);
            sink.push(Diagnostic::new(file, error.span, message).help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn broken_document_is_reported_and_others_load() {
        let text = "apiVersion: v1\nkind: Pod\n---\nkind: [oops\n---\nkind: Service\n";
        let found = run(&ParseError::default(), text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("4:11 document 2: invalid YAML"),
            "{found:?}"
        );
    }

    #[test]
    fn clean_file_has_no_findings() {
        assert!(run(&ParseError::default(), "apiVersion: v1\nkind: Pod\n").is_empty());
    }
}
