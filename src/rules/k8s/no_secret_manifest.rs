use crate::declare_rule;
use crate::document::Project;
use crate::document::yaml::{Entry, Node};
use crate::finding::{Diagnostic, FileId};
use crate::rules::k8s::{Manifest, describe_object};
use crate::rules::{Declared, Rule, RuleMeta, Sink};
use crate::secrets::{detect_value, is_placeholder, mask};

declare_rule! {
    /// A `Secret` manifest with real values in `data` or `stringData` is committed to the repository.
    ///
    /// ## Why it matters
    /// base64 is an encoding, not encryption: a Secret manifest in git is a plaintext credential
    /// for everyone who can read the repository, forever (history keeps it after deletion). Commit
    /// an encrypted form instead (Sealed Secrets, SOPS) or a reference (External Secrets
    /// Operator), and create the real Secret at deploy time. `data` values are decoded and scanned;
    /// placeholders (`changeme`, `<password>`, `${DB_PASSWORD}`, empty) are allowed so that
    /// templates can stay in the repository. Findings point at the key and never show the value.
    ///
    /// ## Violating example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db}
    /// stringData:
    ///   password: "9vQ#2mLx!7rTzK4p"
    /// ```
    ///
    /// ## Compliant example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db}
    /// stringData:
    ///   password: "${DB_PASSWORD}"
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Secrets, good practices: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
    /// - Sealed Secrets: <https://github.com/bitnami-labs/sealed-secrets>
    pub struct NoSecretManifest {}
    id: "k8s/no-secret-manifest",
    level: Error,
    summary: "Secret manifest with real values in the repository",
}

const HELP: &str = "commit an encrypted (Sealed Secrets, SOPS) or external (External Secrets) reference instead, create the Secret at deploy time, and rotate this value";

/// Standard base64 (RFC 4648 §4) with optional padding and embedded whitespace, as Kubernetes
/// accepts in `data`. `None` when the text is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padding = 0;
    for byte in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (padding <= 2).then_some(out)
}

impl NoSecretManifest {
    fn check_entry(
        &self,
        file: FileId,
        object: &str,
        entry: &Entry,
        encoded: bool,
        sink: &mut Sink,
    ) {
        let Some(key) = entry.key.as_str() else {
            return;
        };
        let Some(raw) = entry.value.as_str().filter(|_| !entry.value.is_null()) else {
            return;
        };
        let decoded = if encoded {
            decode_base64(raw)
        } else {
            Some(raw.as_bytes().to_vec())
        };
        let description = match decoded.as_deref().map(std::str::from_utf8) {
            Some(Ok(text)) => {
                if is_placeholder(text) {
                    return;
                }
                match detect_value(Some(key), text) {
                    Some(found) => found.summary(text),
                    None => format!("{} chars, {}", text.chars().count(), mask(text)),
                }
            }
            Some(Err(_)) => format!(
                "{} bytes of binary data",
                decoded.as_ref().map_or(0, Vec::len)
            ),
            // not base64: Kubernetes would reject it, but the value is committed all the same
            None => format!(
                "{} chars that are not valid base64, {}",
                raw.chars().count(),
                mask(raw)
            ),
        };
        let section = if encoded { "data" } else { "stringData" };
        let message =
            format!("{object} commits `{section}.{key}` in the repository: {description}");
        sink.push(
            Diagnostic::new(file, entry.key.span, message)
                .help(HELP)
                .redact(entry.value.span),
        );
    }
}

impl Rule for NoSecretManifest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(manifest) = Manifest::of(file, project) else {
            return;
        };
        for object in manifest.file.objects.iter().filter(|o| o.kind == "Secret") {
            let name = describe_object(object);
            for (section, encoded) in [("data", true), ("stringData", false)] {
                let Some(entries) = object.node.get(section).and_then(Node::as_map) else {
                    continue;
                };
                for entry in entries {
                    self.check_entry(file, &name, entry, encoded, sink);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::k8s::testing::run;

    #[test]
    fn base64_decodes_like_kubernetes() {
        assert_eq!(
            decode_base64("aHVudGVyMg==").as_deref(),
            Some(&b"hunter2"[..])
        );
        assert_eq!(
            decode_base64("aHVu\n dGVy").as_deref(),
            Some(&b"hunter"[..])
        );
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("aG=Vu"), None);
    }

    #[test]
    fn real_values_are_reported_at_the_key_and_masked() {
        // a low-entropy value under a plain key is still a committed value
        let plain = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  motd: hello-world-2024\n";
        assert_eq!(
            run(&NoSecretManifest::default(), plain),
            vec!["5:3 Secret `s` commits `stringData.motd` in the repository: 16 chars, ****2024"]
        );
        // "Zk8#rT2!mQ9vLx4p" and "changeme" in base64
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  password: Zms4I3JUMiFtUTl2THg0cA==\n  placeholder: Y2hhbmdlbWU=\nstringData:\n  token: \"${API_TOKEN}\"\n  url: postgres://app:Zk8rT2mQ9vLx4p@db.internal:5432/app\n";
        let found = run(&NoSecretManifest::default(), text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found,
            vec![
                "5:3 Secret `db` commits `data.password` in the repository: Random-looking value assigned to a secret-named key (16 chars, ****Lx4p)",
                "9:3 Secret `db` commits `stringData.url` in the repository: Database connection URL with a password (14 chars, ****Lx4p)",
            ]
        );
        for line in &found {
            assert!(
                !line.contains("Zk8#rT2!mQ9v")
                    && !line.contains("Zk8rT2mQ9vLx4p")
                    && !line.contains("Zms4I3JU"),
                "secret leaked: {line}"
            );
        }
    }

    #[test]
    fn other_kinds_are_ignored() {
        assert!(
            run(
                &NoSecretManifest::default(),
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  password: hunter2hunter2\n"
            )
            .is_empty()
        );
    }
}
