use crate::declare_rule;
use crate::document::dockerfile::{Body, Keyword};
use crate::document::yaml::Node;
use crate::document::{Project, k8s};
use crate::finding::{Diagnostic, FileId};
use crate::rules::{Rule, RuleMeta, Sink};
use crate::secrets::{self, CLIENT_PREFIXES};
use crate::source::Span;

declare_rule! {
    /// A client-exposed variable (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, …) holds or names a secret.
    ///
    /// ## Why it matters
    /// Frameworks inline variables with these prefixes into the JavaScript bundle that every
    /// visitor downloads: `NEXT_PUBLIC_` (Next.js), `VITE_` (Vite), `REACT_APP_` (Create React App),
    /// `EXPO_PUBLIC_` (Expo), `PUBLIC_` (SvelteKit, Astro), `NUXT_PUBLIC_` (Nuxt), `GATSBY_`,
    /// `STORYBOOK_`. Only publishable keys, URLs and the Supabase anon key belong there. A
    /// Supabase `service_role` key in the browser bypasses row-level security for everyone.
    ///
    /// A variable is reported when its name says secret (`SECRET`, `SERVICE_ROLE`, `PRIVATE`,
    /// `PASSWORD`, `TOKEN`, …) or its value is one. JWTs are decoded without verification:
    /// `role: anon` is allowed, `role: service_role` is an error. Stripe `pk_` and Supabase
    /// `sb_publishable_` keys are fine; `sk_`, `rk_` and `sb_secret_` are not. Checked wherever a
    /// client variable can be set: env files, Dockerfile `ARG`/`ENV` (build args end up in client
    /// bundles), Compose `environment:`, Kubernetes container `env` and ConfigMap `data`, CI
    /// workflow `env:` blocks (`.github/workflows/*.yml`, where `next build` runs), the `env` key of
    /// `next.config.*`, and source files that read a client-exposed variable whose name says secret
    /// (`process.env.NEXT_PUBLIC_SERVICE_ROLE_KEY`, `import.meta.env.VITE_SECRET`).
    ///
    /// ## Violating example
    /// ```dotenv
    /// NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLWZvci1kb2Nz
    /// VITE_STRIPE_KEY=sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w
    /// ```
    ///
    /// ## Compliant example
    /// ```dotenv
    /// NEXT_PUBLIC_SUPABASE_URL=https://abcdefghijklmnop.supabase.co
    /// NEXT_PUBLIC_SUPABASE_ANON_KEY=
    /// VITE_STRIPE_PUBLISHABLE_KEY=pk_live_your-key-here
    /// SUPABASE_SERVICE_ROLE_KEY=
    /// ```
    ///
    /// ## Options
    /// - `prefixes` (list of strings): client-exposed prefixes. Default: `NEXT_PUBLIC_`,
    ///   `NUXT_PUBLIC_`, `EXPO_PUBLIC_`, `REACT_APP_`, `VITE_`, `PUBLIC_`, `GATSBY_`, `STORYBOOK_`.
    /// - `allow` (list of strings, default empty): variable names accepted even though their
    ///   name looks secret (e.g. `NEXT_PUBLIC_RECAPTCHA_TOKEN_URL`).
    ///
    /// ## References
    /// - Next.js docs, "Bundling Environment Variables for the Browser".
    /// - Vite docs, "Env Variables and Modes".
    /// - Supabase docs, "Understanding API keys" (anon vs service_role, sb_publishable_ vs sb_secret_).
    pub struct NoPublicSecret {
        /// Client-exposed prefixes.
        prefixes: Vec<String>,
        /// Names accepted even though they look secret.
        allow: Vec<String>,
    }
    id: "env/no-public-secret",
    level: Error,
    summary: "Client-exposed variables must not hold or name secrets",
}

impl Default for NoPublicSecret {
    fn default() -> Self {
        Self {
            prefixes: CLIENT_PREFIXES.iter().map(|p| (*p).to_string()).collect(),
            allow: Vec::new(),
        }
    }
}

const HELP: &str = "keep it server-side under a name without the client prefix, and rotate it: only publishable keys, URLs and the anon key belong in client variables";

impl NoPublicSecret {
    /// The name without its client-exposed prefix, if it has one and is not allow-listed.
    fn exposed<'a>(&self, key: &'a str) -> Option<&'a str> {
        if self.allow.iter().any(|a| a == key) {
            return None;
        }
        self.prefixes
            .iter()
            .find(|p| key.starts_with(p.as_str()) && key.len() > p.len())
            .map(|p| &key[p.len()..])
    }

    /// Judges `key=value`. `value` carries the value, its whole span in the file and a map from
    /// byte ranges within the value to file spans.
    fn judge(
        &self,
        file: FileId,
        key: &str,
        key_span: Span,
        value: Option<Value<'_>>,
        sink: &mut Sink,
    ) {
        if let Some(rest) = self.exposed(key) {
            self.judge_exposed(file, (key, rest), key_span, value, sink);
        }
    }

    /// Judges a variable known to reach the client; `rest` is the name without its prefix.
    fn judge_exposed(
        &self,
        file: FileId,
        (key, rest): (&str, &str),
        key_span: Span,
        value: Option<Value<'_>>,
        sink: &mut Sink,
    ) {
        // A random value under a vendor-and-`KEY` name is a public key by convention here.
        if let Some((text, _, map)) = &value
            && let Some(found) = secrets::detect_value(Some(rest), text)
                .filter(|f| f.detector != "generic-secret" || secrets::key_names_secret(rest))
        {
            sink.push(
                Diagnostic::new(
                    file,
                    key_span,
                    format!(
                        "`{key}` is bundled into client code but holds a secret: {}",
                        found.summary(text)
                    ),
                )
                .help(HELP)
                .redact(map(found.span.clone())),
            );
            return;
        }
        if secrets::key_names_secret(rest) {
            let mut diag = Diagnostic::new(
                file,
                key_span,
                format!("`{key}` is bundled into client code but its name says it is a secret"),
            )
            .help(HELP);
            if let Some((_, whole, _)) = value {
                diag = diag.redact(whole);
            }
            sink.push(diag);
        }
    }
}

/// A value, its span in the file, and how to map a range within it to the file.
type Value<'a> = (&'a str, Span, &'a dyn Fn(std::ops::Range<usize>) -> Span);

impl NoPublicSecret {
    /// Judges a YAML-like scalar whose decoded `value` sits at `span`: offsets map 1:1 when the
    /// source holds the value verbatim (plain, or inside one pair of quotes); otherwise (escapes,
    /// folded lines) the whole scalar is redacted.
    fn judge_scalar(
        &self,
        file: FileId,
        text: &str,
        (key, key_span): (&str, Span),
        value: Option<(&str, Span)>,
        sink: &mut Sink,
    ) {
        let Some((value, span)) = value else {
            self.judge(file, key, key_span, None, sink);
            return;
        };
        let source = text.get(span.range()).unwrap_or("");
        let start = match source.find(value) {
            Some(at) if !value.is_empty() => Some(span.start + at),
            _ => None,
        };
        let map = |r: std::ops::Range<usize>| match start {
            Some(start) => Span::new(start + r.start, (start + r.end).min(span.end)),
            None => span,
        };
        self.judge(file, key, key_span, Some((value, span, &map)), sink);
    }

    /// `name`/`value` pairs of every container's `env`, `data` of ConfigMaps, and a workflow's
    /// `env:` blocks.
    fn judge_manifest(&self, file: FileId, text: &str, k8s: &k8s::K8sFile, sink: &mut Sink) {
        fn scalar(node: &Node) -> Option<(&str, Span)> {
            node.as_str()
                .filter(|_| !node.is_null())
                .map(|v| (v, node.span))
        }
        for object in &k8s.objects {
            if object.kind == "ConfigMap" {
                for entry in object
                    .node
                    .get("data")
                    .and_then(Node::as_map)
                    .unwrap_or(&[])
                {
                    if let Some(key) = entry.key.as_str() {
                        let value = scalar(&entry.value);
                        self.judge_scalar(file, text, (key, entry.key.span), value, sink);
                    }
                }
            }
            let Some(pod) = object.pod() else { continue };
            for container in pod.containers() {
                for var in container
                    .node
                    .get("env")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                {
                    let Some(name) = var.entry("name") else {
                        continue;
                    };
                    let Some(key) = name.value.as_str() else {
                        continue;
                    };
                    let value = var.get("value").and_then(scalar);
                    self.judge_scalar(file, text, (key, name.value.span), value, sink);
                }
            }
        }
        for entry in &k8s.workflow_env {
            if let Some(key) = entry.key.as_str() {
                let value = scalar(&entry.value);
                self.judge_scalar(file, text, (key, entry.key.span), value, sink);
            }
        }
    }
}

impl Rule for NoPublicSecret {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_file(&self, file: FileId, project: &Project, sink: &mut Sink) {
        let Some(parsed) = project.files.get(file) else {
            return;
        };
        let text = &parsed.source.text;
        if let Some(env) = parsed.env() {
            for entry in &env.entries {
                let map = |range| entry.value_range_span(range, text);
                self.judge(
                    file,
                    &entry.key,
                    entry.key_span,
                    Some((&entry.value, entry.inner_span, &map)),
                    sink,
                );
            }
        } else if let Some(code) = parsed.code() {
            // Next.js inlines every key of `next.config.*` `env`, whatever its prefix
            for member in &code.config_env {
                if self.allow.contains(&member.key) {
                    continue;
                }
                let key = (member.key.as_str(), member.key.as_str());
                match &member.value {
                    Some((value, span)) => {
                        let map = |r: std::ops::Range<usize>| {
                            Span::new(span.start + r.start, (span.start + r.end).min(span.end))
                        };
                        let value = Some((value.as_str(), *span, &map as _));
                        self.judge_exposed(file, key, member.key_span, value, sink);
                    }
                    None => self.judge_exposed(file, key, member.key_span, None, sink),
                }
            }
            for read in &code.reads {
                if self
                    .exposed(&read.name)
                    .is_some_and(secrets::key_names_secret)
                {
                    sink.push(
                        Diagnostic::new(
                            file,
                            read.span,
                            format!("code reads `{}`, a client-exposed variable whose name says it is a secret", read.name),
                        )
                        .help(HELP),
                    );
                }
            }
        } else if let Some(compose) = parsed.compose() {
            for var in compose.services.iter().flat_map(|s| &s.environment) {
                let value = var.value.as_deref().zip(var.value_span);
                self.judge_scalar(file, text, (&var.key, var.key_span), value, sink);
            }
        } else if let Some(manifest) = parsed.k8s() {
            self.judge_manifest(file, text, manifest, sink);
        } else if let Some(df) = parsed.dockerfile() {
            for instr in &df.instructions {
                let (Keyword::Arg | Keyword::Env, Body::KeyValues(pairs)) =
                    (instr.keyword, &instr.body)
                else {
                    continue;
                };
                for pair in pairs {
                    let Some(word) = &pair.value else {
                        self.judge(file, &pair.key, pair.key_span, None, sink);
                        continue;
                    };
                    let raw = word.raw.as_str();
                    let quoted = raw.len() >= 2
                        && ((raw.starts_with('"') && raw.ends_with('"'))
                            || (raw.starts_with('\'') && raw.ends_with('\'')));
                    let (value, span) = if quoted {
                        (
                            &raw[1..raw.len() - 1],
                            Span::new(word.span.start + 1, word.span.end - 1),
                        )
                    } else {
                        (raw, word.span)
                    };
                    let map = |r: std::ops::Range<usize>| {
                        Span::new(
                            (span.start + r.start).min(span.end),
                            (span.start + r.end).min(span.end),
                        )
                    };
                    self.judge(
                        file,
                        &pair.key,
                        pair.key_span,
                        Some((value, span, &map)),
                        sink,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::document::FileKind;
    use crate::rules::env::check;
    use crate::secrets::jwt::base64url_encode;
    use crate::testing::check_kind;

    const RULE: &str = "env/no-public-secret";

    fn jwt(role: &str) -> String {
        let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = base64url_encode(
            format!(
                r#"{{"iss":"supabase","ref":"qwertyuiopasdfgh","role":"{role}","iat":1700000000}}"#
            )
            .as_bytes(),
        );
        format!("{header}.{claims}.Zk9xq3LrT8mV2wYp5sJ1nB4cH7gD0aE6uI9oK2lM3zQ")
    }

    #[test]
    fn env_files_secret_names_and_values() {
        let service = jwt("service_role");
        let anon = jwt("anon");
        let text = format!(
            "NEXT_PUBLIC_SUPABASE_URL=https://qwertyuiopasdfgh.supabase.co\nNEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\nNEXT_PUBLIC_SUPABASE_KEY={service}\nVITE_STRIPE_KEY=sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\nVITE_STRIPE_PUBLISHABLE_KEY=pk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\nNEXT_PUBLIC_SERVICE_ROLE_KEY=\nSUPABASE_SERVICE_ROLE_KEY={service}\nPUBLIC_SB_KEY=sb_publishable_Zk9xq3LrT8mV2wYp5sJ1nB\n"
        );
        let found = check(RULE, &[("frontend/.env.local", &text)]);
        assert_eq!(
            found,
            [
                format!("frontend/.env.local:3:1 `NEXT_PUBLIC_SUPABASE_KEY` is bundled into client code but holds a secret: Supabase service_role JWT (bypasses row-level security) ({} chars, ****M3zQ)", service.len()),
                "frontend/.env.local:4:1 `VITE_STRIPE_KEY` is bundled into client code but holds a secret: Stripe secret key (33 chars, ****aQ9w)".to_string(),
                "frontend/.env.local:6:1 `NEXT_PUBLIC_SERVICE_ROLE_KEY` is bundled into client code but its name says it is a secret".to_string(),
            ]
        );
        assert!(
            found
                .iter()
                .all(|f| !f.contains(&service) && !f.contains("sk_live_51"))
        );
    }

    #[test]
    fn source_reads_and_dockerfile_args() {
        let code = "const url = process.env.NEXT_PUBLIC_SUPABASE_URL;\nconst key = process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY;\nconst s = import.meta.env.VITE_API_SECRET;\nconst ok = process.env.STRIPE_SECRET_KEY;\n";
        assert_eq!(
            check_kind(RULE, FileKind::Code, &[("web/lib/supabase.ts", code)]),
            [
                "web/lib/supabase.ts:2:25 code reads `NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY`, a client-exposed variable whose name says it is a secret",
                "web/lib/supabase.ts:3:27 code reads `VITE_API_SECRET`, a client-exposed variable whose name says it is a secret",
            ]
        );
        let docker = "FROM node:20\nARG NEXT_PUBLIC_API_URL=https://api.example.com\nARG NEXT_PUBLIC_STRIPE_SECRET\nENV VITE_TOKEN=\"ghp_R4nd0mL00k1ngT0k3nV4lu3Qw3rTy5678Zx9\"\n";
        let found = check_kind(RULE, FileKind::Docker, &[("web/Dockerfile", docker)]);
        assert_eq!(
            found,
            [
                "web/Dockerfile:3:5 `NEXT_PUBLIC_STRIPE_SECRET` is bundled into client code but its name says it is a secret",
                "web/Dockerfile:4:5 `VITE_TOKEN` is bundled into client code but holds a secret: GitHub personal access token (classic) (40 chars, ****8Zx9)",
            ]
        );
    }

    #[test]
    fn compose_manifests_workflows_and_next_config() {
        let service = jwt("service_role");
        let compose = format!(
            "services:\n  web:\n    image: web\n    environment:\n      NEXT_PUBLIC_SUPABASE_URL: https://x.supabase.co\n      NEXT_PUBLIC_SUPABASE_KEY: \"{service}\"\n  api:\n    image: api\n    environment:\n      - VITE_ADMIN_PASSWORD=hunter2hunter2\n      - SUPABASE_SERVICE_ROLE_KEY={service}\n"
        );
        let found = check_kind(RULE, FileKind::Compose, &[("compose.yaml", &compose)]);
        assert_eq!(
            found,
            [
                format!("compose.yaml:6:7 `NEXT_PUBLIC_SUPABASE_KEY` is bundled into client code but holds a secret: Supabase service_role JWT (bypasses row-level security) ({} chars, ****M3zQ)", service.len()),
                "compose.yaml:10:9 `VITE_ADMIN_PASSWORD` is bundled into client code but its name says it is a secret".to_string(),
            ]
        );

        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: build\n          env:\n            - name: NEXT_PUBLIC_API_URL\n              value: https://api.example.com\n            - name: NEXT_PUBLIC_STRIPE_KEY\n              value: sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\n      containers:\n        - name: web\n          env:\n            - name: REACT_APP_SECRET\n              valueFrom: {secretKeyRef: {name: s, key: k}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-env}\ndata:\n  NEXT_PUBLIC_SITE: https://example.com\n  VITE_PRIVATE_KEY: \"\"\n";
        assert_eq!(
            check_kind(RULE, FileKind::K8s, &[("k8s/web.yaml", manifest)]),
            [
                "k8s/web.yaml:12:21 `NEXT_PUBLIC_STRIPE_KEY` is bundled into client code but holds a secret: Stripe secret key (33 chars, ****aQ9w)",
                "k8s/web.yaml:17:21 `REACT_APP_SECRET` is bundled into client code but its name says it is a secret",
                "k8s/web.yaml:25:3 `VITE_PRIVATE_KEY` is bundled into client code but its name says it is a secret",
            ]
        );

        let workflow = "name: build\non: push\nenv:\n  NEXT_PUBLIC_URL: https://example.com\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY: ${{ secrets.SERVICE_ROLE }}\n    steps:\n      - run: npm run build\n        env:\n          VITE_STRIPE: sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\n";
        assert_eq!(
            check_kind(
                RULE,
                FileKind::K8s,
                &[(".github/workflows/build.yml", workflow)]
            ),
            [
                ".github/workflows/build.yml:9:7 `NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY` is bundled into client code but its name says it is a secret",
                ".github/workflows/build.yml:13:11 `VITE_STRIPE` is bundled into client code but holds a secret: Stripe secret key (33 chars, ****aQ9w)",
            ]
        );

        let next = "/** @type {import('next').NextConfig} */\nmodule.exports = {\n  reactStrictMode: true,\n  env: {\n    NEXT_PUBLIC_SITE: 'https://example.com', // fine\n    STRIPE_KEY: \"sk_live_51Hx8kT2eZvKYlo2C8fG3aQ9w\",\n    API_SECRET: process.env.API_SECRET,\n    'NEXT_PUBLIC_BUILD': `${Date.now()}`,\n  },\n};\n";
        let found = check_kind(RULE, FileKind::Code, &[("web/next.config.js", next)]);
        assert_eq!(
            found,
            [
                "web/next.config.js:6:5 `STRIPE_KEY` is bundled into client code but holds a secret: Stripe secret key (33 chars, ****aQ9w)",
                "web/next.config.js:7:5 `API_SECRET` is bundled into client code but its name says it is a secret",
            ]
        );
    }

    #[test]
    fn allow_list_and_custom_prefixes() {
        let policy = crate::policy::Policy::from_str(
            "t.toml",
            "[rules.env]\nno-public-secret = { level = \"error\", options = { prefixes = [\"APP_PUBLIC_\"], allow = [\"APP_PUBLIC_TOKEN\"] } }\n",
            None,
        )
        .unwrap();
        let findings = crate::engine::check_sources(
            &policy,
            &[(
                ".env",
                FileKind::Env,
                "APP_PUBLIC_TOKEN=\nAPP_PUBLIC_SECRET=\nNEXT_PUBLIC_SECRET=\n",
            )],
        );
        let ids: Vec<_> = findings
            .iter()
            .filter(|f| f.rule == RULE)
            .map(|f| (f.start.line, f.message.as_str()))
            .collect();
        assert_eq!(
            ids,
            [(
                2,
                "`APP_PUBLIC_SECRET` is bundled into client code but its name says it is a secret"
            )]
        );
    }
}
