use regex::Regex;

use crate::declare_rule;
use crate::document::Project;
use crate::finding::{Diagnostic, FileId};
use crate::rules::env::env_file;
use crate::rules::{Rule, RuleMeta, Sink, compile_regex};

declare_rule! {
    /// Values that reference a secret manager must follow the policy's reference format.
    ///
    /// ## Why it matters
    /// When secrets live in a manager and env files carry only references, a consistent format
    /// (e.g. `tenant.<slug>.<provider>.<key>`) is what lets rotation runbooks, audits and
    /// resolvers find every use of a secret. A malformed reference fails at resolution time, in
    /// production. Off by default: turn it on with the format your team uses.
    ///
    /// ## Violating example
    /// ```dotenv
    /// SUPABASE_SERVICE_ROLE_REF=acme/supabase/service-role
    /// ```
    ///
    /// ## Compliant example
    /// ```dotenv
    /// SUPABASE_SERVICE_ROLE_REF=tenant.acme.supabase.service_role
    /// ```
    ///
    /// ## Options
    /// - `keys` (regex, default `_(SECRET_)?REF$`): names of variables that hold references.
    /// - `pattern` (regex, default `^tenant\.[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9_]+$`): the format.
    ///   Empty values and `${VAR}` references are not checked.
    ///
    /// ## References
    /// - Your secret-rotation runbook (the format comes from it).
    pub struct SecretRefFormat {
        /// Regex over variable names that hold secret references.
        keys: String,
        /// Regex every reference must match.
        pattern: String,
        /// `keys` and `pattern`, compiled by `prepare`.
        #[serde(skip)]
        compiled: Option<(Regex, Regex)>,
    }
    id: "env/secret-ref-format",
    level: Off,
    summary: "Secret references must match the policy's format",
}

impl Default for SecretRefFormat {
    fn default() -> Self {
        Self {
            keys: "_(SECRET_)?REF$".into(),
            pattern: r"^tenant\.[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9_]+$".into(),
            compiled: None,
        }
    }
}

impl Rule for SecretRefFormat {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn prepare(&mut self) -> Result<(), String> {
        self.compiled = Some((
            compile_regex("keys", &self.keys)?,
            compile_regex("pattern", &self.pattern)?,
        ));
        Ok(())
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some((env, _, _)) = env_file(project, file) else {
            return;
        };
        let Some((keys, pattern)) = &self.compiled else {
            return;
        };
        for entry in &env.entries {
            let value = entry.value.trim();
            if !keys.is_match(&entry.key)
                || value.is_empty()
                || crate::secrets::is_template_reference(value)
            {
                continue;
            }
            if !pattern.is_match(value) {
                sink.push(
                    Diagnostic::new(
                        file,
                        entry.value_span,
                        format!(
                            "`{}` is not a secret reference in the expected format",
                            entry.key
                        ),
                    )
                    .help(format!("write a reference matching `{}`", self.pattern)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::env::check;

    const RULE: &str = "env/secret-ref-format";

    #[test]
    fn references_must_match() {
        let text = "SUPABASE_REF=tenant.acme.supabase.service_role\nBITGET_SECRET_REF=acme/bitget/api-secret\nOTHER=whatever\nEMPTY_REF=\nTPL_REF=${X}\n";
        assert_eq!(
            check(RULE, &[(".env.example", text)]),
            [
                ".env.example:2:19 `BITGET_SECRET_REF` is not a secret reference in the expected format"
            ]
        );
    }
}
