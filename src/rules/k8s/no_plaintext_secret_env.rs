use crate::declare_rule;
use crate::document::Project;
use crate::document::yaml::Node;
use crate::finding::{Diagnostic, FileId};
use crate::rules::k8s::Manifest;
use crate::rules::{Declared, Rule, RuleMeta, Sink};
use crate::secrets::{detect_value, is_placeholder, key_looks_secret, looks_like_reference, mask};

declare_rule! {
    /// A container's environment holds a secret in plain text instead of `valueFrom.secretKeyRef`.
    ///
    /// ## Why it matters
    /// An `env[].value` is part of the manifest: it is in git history, in every clone, in
    /// `kubectl get -o yaml` output and in CI logs. A value that is a credential (a known token
    /// format, or a random-looking value) or any literal under a secret-named variable
    /// (`DB_PASSWORD`, `API_TOKEN`, …) belongs in a Secret, referenced with
    /// `valueFrom.secretKeyRef`. Findings show the value masked, never in full.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: app:1.0
    ///       env:
    ///         - name: DB_PASSWORD
    ///           value: "s3cr3t-Pa55w0rd-2024"
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: app:1.0
    ///       env:
    ///         - name: DB_PASSWORD
    ///           valueFrom:
    ///             secretKeyRef: {name: db, key: password}
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Using Secrets as environment variables: <https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables>
    /// - CIS Kubernetes Benchmark 5.4.1 ("Prefer using Secrets as files over Secrets as environment variables")
    pub struct NoPlaintextSecretEnv {}
    id: "k8s/no-plaintext-secret-env",
    level: Error,
    summary: "Secret in a container's env value",
}

const HELP: &str = "store the value in a Secret and reference it with `valueFrom.secretKeyRef`; rotate it, since it is in git history";

impl Rule for NoPlaintextSecretEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        let mut seen = std::collections::HashSet::new();
        for workload in manifest.containers() {
            let Some(env) = workload.container.node.get("env").and_then(Node::as_seq) else {
                continue;
            };
            for var in env {
                let (Some(name), Some(value)) =
                    (var.get("name").and_then(Node::as_str), var.get("value"))
                else {
                    continue;
                };
                let Some(text) = value.as_str().filter(|_| !value.is_null()) else {
                    continue;
                };
                // an anchored env list shared by several containers is one finding
                if !seen.insert(value.span) {
                    continue;
                }
                let who = workload.subject(None);
                let message = if let Some(found) = detect_value(Some(name), text) {
                    format!(
                        "env `{name}` of {who} holds a secret: {}",
                        found.summary(text)
                    )
                } else if key_looks_secret(name)
                    && !is_placeholder(text)
                    && !looks_like_reference(text.trim())
                {
                    format!(
                        "env `{name}` of {who} is secret-named and has a literal value ({} chars, {})",
                        text.chars().count(),
                        mask(text)
                    )
                } else {
                    continue;
                };
                sink.push(
                    Diagnostic::new(file, value.span, message)
                        .help(HELP)
                        .redact(value.span),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    const TOKEN: &str = "ghp_R8xKq2Lm9Tz4Vb7Nc1Wd5Yf3Hg6Jk0Pa2Se8";

    fn pod(env: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: app\n      env:\n{env}"
        )
    }

    #[test]
    fn detected_secrets_and_secret_named_literals_are_masked() {
        let text = pod(&format!(
            "        - name: GH\n          value: {TOKEN}\n        - name: DB_PASSWORD\n          value: \"Tr0ub4dor&3-horse\"\n        - name: LOG_LEVEL\n          value: debug\n        - name: API_TOKEN\n          value: Summer2024\n"
        ));
        let found = run(&NoPlaintextSecretEnv::default(), &text);
        assert_eq!(
            found,
            vec![
                "9:18 env `GH` of container `app` of Pod `p` holds a secret: GitHub personal access token (classic) (40 chars, ****2Se8)",
                "11:18 env `DB_PASSWORD` of container `app` of Pod `p` holds a secret: Random-looking value assigned to a secret-named key (17 chars, ****orse)",
                "15:18 env `API_TOKEN` of container `app` of Pod `p` is secret-named and has a literal value (10 chars, ****)",
            ]
        );
        for line in &found {
            assert!(
                !line.contains(TOKEN)
                    && !line.contains("Tr0ub4dor")
                    && !line.contains("Summer2024"),
                "secret leaked: {line}"
            );
        }
    }

    #[test]
    fn references_and_placeholders_are_fine() {
        let text = pod(
            "        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: db, key: password}}\n        - name: API_TOKEN\n          value: changeme\n        - name: PASSWORD_FILE\n          value: /run/secrets/db\n        - name: CLIENT_SECRET\n          value: $(CLIENT_SECRET_FROM_FILE)\n",
        );
        assert!(run(&NoPlaintextSecretEnv::default(), &text).is_empty());
    }
}
