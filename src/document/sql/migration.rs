//! Ordered migration sets and their replay into schema state.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{Fact, QualName};
use crate::document::ParsedFile;
use crate::finding::FileId;
use crate::source::Span;

/// A place in the migration set: file and byte span.
pub type Loc = (FileId, Span);

#[derive(Debug, Clone)]
pub struct MigrationFile {
    pub file: FileId,
    /// Down/rollback scripts are not replayed into the state.
    pub is_down: bool,
}

/// The state of one table after replaying a migration set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    /// Where the table was created (the name in its CREATE TABLE).
    pub created: Loc,
    pub temporary: bool,
    /// Where RLS was last enabled, if it is enabled at the end.
    pub rls_enabled: Option<Loc>,
}

#[derive(Debug, Clone, Default)]
pub struct SchemaState {
    pub tables: BTreeMap<(String, String), TableState>,
}

/// The migrations in one directory, in the order the migration tools apply them.
#[derive(Debug, Clone)]
pub struct MigrationSet {
    pub dir: String,
    pub files: Vec<MigrationFile>,
    pub state: SchemaState,
}

impl MigrationSet {
    /// Groups SQL files by directory, orders each group, and replays it.
    pub fn build_all(files: &[ParsedFile]) -> Vec<MigrationSet> {
        let mut by_dir: BTreeMap<String, Vec<&ParsedFile>> = BTreeMap::new();
        for file in files.iter().filter(|f| f.sql().is_some()) {
            let dir = file
                .source
                .path
                .rsplit_once('/')
                .map_or("", |(dir, _)| dir)
                .to_string();
            by_dir.entry(dir).or_default().push(file);
        }
        by_dir
            .into_iter()
            .map(|(dir, mut group)| {
                group.sort_by(|a, b| {
                    compare_migration_names(file_name(&a.source.path), file_name(&b.source.path))
                });
                let files: Vec<MigrationFile> = group
                    .iter()
                    .map(|f| MigrationFile {
                        file: f.id,
                        is_down: is_down_migration(&f.source.path),
                    })
                    .collect();
                let state = replay(&group);
                MigrationSet { dir, files, state }
            })
            .collect()
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// `*.down.sql`, `*_down.sql`, `*_rollback.sql` and `*.rollback.sql` undo a migration.
pub fn is_down_migration(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let stem = name.strip_suffix(".sql").unwrap_or(&name);
    ["down", "rollback"].iter().any(|suffix| {
        stem.ends_with(&format!(".{suffix}"))
            || stem.ends_with(&format!("_{suffix}"))
            || stem.ends_with(&format!("-{suffix}"))
    })
}

/// Orders file names as migration tools do: Flyway versioned (`V1_2__x`) by numeric version, then
/// repeatable (`R__x`) by name; otherwise by the numeric prefix (timestamps, `0001_`), then by name.
pub fn compare_migration_names(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b))
}

fn sort_key(name: &str) -> (u8, Vec<u64>) {
    if let Some(rest) = name.strip_prefix(['V', 'v']).filter(|r| r.contains("__")) {
        let version = rest.split("__").next().unwrap_or("");
        let parts: Vec<u64> = version
            .split(['.', '_'])
            .map(|p| p.parse().unwrap_or(u64::MAX))
            .collect();
        return (0, parts);
    }
    if name.starts_with("R__") {
        return (2, Vec::new());
    }
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<u64>() {
        Ok(n) => (0, vec![n]),
        Err(_) => (1, Vec::new()),
    }
}

fn replay(files: &[&ParsedFile]) -> SchemaState {
    let mut state = SchemaState::default();
    let mut search_path: Vec<String> = vec!["public".into()];
    for file in files.iter().filter(|f| !is_down_migration(&f.source.path)) {
        let Some(sql) = file.sql() else { continue };
        for statement in &sql.statements {
            for fact in &statement.facts {
                apply(&mut state, &mut search_path, file.id, statement.span, fact);
            }
        }
    }
    state
}

fn resolve(name: &QualName, search_path: &[String], state: &SchemaState) -> (String, String) {
    if let Some(schema) = &name.schema {
        return (schema.clone(), name.name.clone());
    }
    // An existing table is found through the path; a new one goes into the first schema.
    for schema in search_path {
        let key = (schema.clone(), name.name.clone());
        if state.tables.contains_key(&key) {
            return key;
        }
    }
    (
        search_path
            .first()
            .cloned()
            .unwrap_or_else(|| "public".into()),
        name.name.clone(),
    )
}

fn apply(
    state: &mut SchemaState,
    search_path: &mut Vec<String>,
    file: FileId,
    stmt: Span,
    fact: &Fact,
) {
    match fact {
        Fact::CreateTable {
            name,
            name_span,
            temporary,
        } => {
            let schema = match (&name.schema, temporary) {
                (_, true) => "pg_temp".to_string(),
                (Some(schema), false) => schema.clone(),
                (None, false) => search_path
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "public".into()),
            };
            let key = (schema, name.name.clone());
            state.tables.entry(key).or_insert(TableState {
                created: (file, *name_span),
                temporary: *temporary,
                rls_enabled: None,
            });
        }
        Fact::DropTable { name } => {
            let key = resolve(name, search_path, state);
            state.tables.remove(&key);
        }
        Fact::RenameTable { from, to } => {
            let key = resolve(from, search_path, state);
            if let Some(table) = state.tables.remove(&key) {
                state.tables.insert((key.0, to.clone()), table);
            }
        }
        Fact::SetTableSchema { table, schema } => {
            let key = resolve(table, search_path, state);
            if let Some(table) = state.tables.remove(&key) {
                state.tables.insert((schema.clone(), key.1), table);
            }
        }
        Fact::SetRls { table, enabled } => {
            let key = resolve(table, search_path, state);
            if let Some(table) = state.tables.get_mut(&key) {
                table.rls_enabled = enabled.then_some((file, stmt));
            }
        }
        Fact::SetSearchPath { schemas } => {
            let schemas: Vec<String> = schemas
                .iter()
                .filter(|s| s.as_str() != "$user")
                .cloned()
                .collect();
            if !schemas.is_empty() {
                *search_path = schemas;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_migration_tools() {
        let mut names = vec![
            "V10__c.sql",
            "V2__b.sql",
            "V1_1__a.sql",
            "R__views.sql",
            "V1__a.sql",
        ];
        names.sort_by(|a, b| compare_migration_names(a, b));
        assert_eq!(
            names,
            vec![
                "V1__a.sql",
                "V1_1__a.sql",
                "V2__b.sql",
                "V10__c.sql",
                "R__views.sql"
            ]
        );
        let mut names = vec![
            "10_z.sql",
            "2_y.sql",
            "20250101120000_init.sql",
            "0001_a.sql",
        ];
        names.sort_by(|a, b| compare_migration_names(a, b));
        assert_eq!(
            names,
            vec![
                "0001_a.sql",
                "2_y.sql",
                "10_z.sql",
                "20250101120000_init.sql"
            ]
        );
    }

    #[test]
    fn recognises_down_migrations() {
        assert!(is_down_migration("db/0001_init.down.sql"));
        assert!(is_down_migration("supabase/migrations/003_x_rollback.sql"));
        assert!(!is_down_migration("db/0001_init.up.sql"));
        assert!(!is_down_migration("db/0002_rollback_support_table.sql"));
    }
}
