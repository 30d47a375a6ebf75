use crate::declare_rule;
use crate::document::Project;
use crate::document::sql::PolicyCommand;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};

declare_rule! {
    /// A broad SELECT policy on `storage.objects` lets anyone list every file in a bucket.
    ///
    /// ## Why it matters
    /// Public buckets serve files by URL without any policy. A SELECT policy on `storage.objects` that
    /// only checks the bucket (`using (bucket_id = 'avatars')`) additionally lets every client *list*
    /// all object names in it, which leaks file names, user ids in paths and unlisted uploads. Scope
    /// the policy to the caller (`owner`, `auth.uid()`, `storage.foldername(name)`), or drop it if
    /// public URLs are all you need.
    ///
    /// ## Violating example
    /// ```sql
    /// create policy "public read" on storage.objects for select using (bucket_id = 'avatars');
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// create policy "users read own files" on storage.objects for select to authenticated
    ///   using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
    /// ```
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - Supabase splinter lint 0025 `public_bucket_allows_listing`.
    /// - Supabase docs, "Storage Access Control".
    pub struct PublicBucketListing {}
    id: "sql/public-bucket-listing",
    level: Warning,
    summary: "Storage SELECT policies must not let anyone list a whole bucket",
}

/// Words that scope a storage policy to its caller or to specific objects.
const SCOPING: &[&str] = &[
    "auth.",
    "owner",
    "foldername",
    "name",
    "current_user",
    "current_setting",
];

impl Rule for PublicBucketListing {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let Some(objects) = set
                .state
                .tables
                .get(&("storage".to_string(), "objects".to_string()))
            else {
                continue;
            };
            for policy in objects.policies.values() {
                if !policy.permissive
                    || !matches!(policy.command, PolicyCommand::Select | PolicyCommand::All)
                    || !policy.roles.iter().any(|r| r == "public" || r == "anon")
                {
                    continue;
                }
                let Some((_, using)) = &policy.using else {
                    continue;
                };
                let lower = using.text.to_ascii_lowercase();
                // `bucket_id = '…'` is not scoping: strip it before looking for scoping words.
                let without_bucket = lower.replace("bucket_id", "");
                if SCOPING.iter().any(|w| without_bucket.contains(w)) {
                    continue;
                }
                sink.push(
                    Diagnostic::new(policy.created.0, policy.created.1, format!("policy `{}` lets anyone list every object it matches in storage (`using ({})`)", policy.name, using.text.split_whitespace().collect::<Vec<_>>().join(" ")))
                        .help("scope the policy to the caller (`owner = (select auth.uid())` or `storage.foldername(name)`), or drop it: public buckets serve files by URL without a SELECT policy"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check_sql;

    #[test]
    fn reports_bucket_wide_select_policies() {
        let files = [(
            "m/0001.sql",
            "create policy \"Public read\" on storage.objects for select using (bucket_id = 'avatars');\ncreate policy own on storage.objects for select to authenticated using (bucket_id = 'docs' and owner = auth.uid());\ncreate policy anon_own on storage.objects for select using (bucket_id = 'x' and (storage.foldername(name))[1] = auth.uid()::text);",
        )];
        assert_eq!(
            check_sql("sql/public-bucket-listing", &files),
            vec![
                "m/0001.sql:1:15 policy `Public read` lets anyone list every object it matches in storage (`using (bucket_id = 'avatars')`)"
            ]
        );
    }
}
