//! Rules over migration SQL and the replayed schema state.

pub mod anon_write_policy;
pub mod api_relation_without_rls;
pub mod auth_function_per_row;
pub mod auth_users_exposed;
pub mod definer_function_executable;
pub mod extension_in_public;
pub mod grant_without_rls;
pub mod literal_secret;
pub mod parse_error;
pub mod permissive_policy;
pub mod plaintext_credential_column;
pub mod policy_trusts_user_metadata;
pub mod policy_without_rls;
pub mod public_bucket_listing;
pub mod require_policy;
pub mod require_rls;
pub mod require_rollback;
pub mod rls_disabled;
pub mod security_definer_search_path;
pub mod security_definer_view;
pub mod sensitive_columns_exposed;
pub mod unparsed_statement;

/// Roles that anyone holding the public API key acts as, by default.
pub(crate) fn default_public_roles() -> Vec<String> {
    vec!["anon".into(), "authenticated".into(), "public".into()]
}

/// `true`, `(true)`, `1 = 1`, `'t'::boolean`…: an expression that admits every row.
pub(crate) fn always_true(expr: &str) -> bool {
    let squashed: String = expr
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(
        squashed.as_str(),
        "true" | "1=1" | "'t'::boolean" | "true::boolean" | "'true'::boolean" | "'true'" | "'t'"
    )
}

/// Policies in tables of `schemas`, and on Supabase Storage (`storage.objects`), which the API
/// serves too.
pub(crate) fn api_tables<'a>(
    set: &'a crate::document::sql::MigrationSet,
    schemas: &'a [String],
) -> impl Iterator<
    Item = (
        &'a crate::document::sql::Key,
        &'a crate::document::sql::TableState,
    ),
> {
    set.state
        .tables
        .iter()
        .filter(move |((schema, _), _)| schemas.contains(schema) || schema == "storage")
}

#[cfg(test)]
mod tests {
    #[test]
    fn always_true_forms() {
        for e in ["true", " ( TRUE ) ", "1 = 1", "'t'::boolean"] {
            assert!(super::always_true(e), "{e}");
        }
        for e in ["false", "auth.uid() = owner", "true and owner = auth.uid()"] {
            assert!(!super::always_true(e), "{e}");
        }
    }
}
