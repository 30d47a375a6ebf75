//! Ordered migration sets and their replay into schema state.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::types::*;
use crate::document::ParsedFile;
use crate::finding::FileId;
use crate::source::Span;

/// A place in the migration set: file and byte span.
pub type Loc = (FileId, Span);

/// A `(schema, name)` key.
pub type Key = (String, String);

#[derive(Debug, Clone)]
pub struct MigrationFile {
    pub file: FileId,
    /// Down/rollback scripts are not replayed into the state.
    pub is_down: bool,
    /// The path relative to the set's directory, used for ordering and pairing up/down files.
    pub relative: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnState {
    pub name: String,
    pub ty: String,
    pub at: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyState {
    pub name: String,
    /// The policy name in its CREATE POLICY.
    pub created: Loc,
    pub permissive: bool,
    pub command: PolicyCommand,
    pub roles: Vec<String>,
    /// Expressions with the file that holds them (ALTER POLICY may replace them in a later file).
    pub using: Option<(FileId, Expr)>,
    pub with_check: Option<(FileId, Expr)>,
}

/// Privileges per role (`public` for PUBLIC), each with where it was granted.
pub type Acl = BTreeMap<String, BTreeMap<String, Loc>>;

/// The state of one table after replaying a migration set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    /// Where the table was created (the name in its CREATE TABLE).
    pub created: Loc,
    pub temporary: bool,
    pub kind: RelKind,
    /// Not created in this set (a platform table such as `storage.objects`), only referenced.
    pub external: bool,
    /// `None` when the columns cannot be known statically.
    pub columns: Option<Vec<ColumnState>>,
    pub partition_of: Option<Key>,
    /// Where RLS was last enabled, if it is enabled at the end.
    pub rls_enabled: Option<Loc>,
    pub rls_forced: bool,
    pub policies: BTreeMap<String, PolicyState>,
    pub grants: Acl,
    /// Index into [`SchemaState::events`] of an unresolved RLS regression on this table.
    open_disable: Option<usize>,
}

impl TableState {
    /// The privileges `role` holds, directly or through PUBLIC.
    pub fn privileges_of(&self, role: &str) -> BTreeSet<&str> {
        privileges_of(&self.grants, role)
    }
}

fn privileges_of<'a>(acl: &'a Acl, role: &str) -> BTreeSet<&'a str> {
    [role, "public"]
        .iter()
        .filter_map(|r| acl.get(*r))
        .flat_map(|p| p.keys().map(String::as_str))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    pub created: Loc,
    pub materialized: bool,
    pub temporary: bool,
    pub security_invoker: bool,
    pub reads: Vec<QualName>,
    pub grants: Acl,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionState {
    pub created: Loc,
    pub args: Vec<String>,
    pub security_definer: bool,
    pub search_path: Option<String>,
    pub procedure: bool,
    /// The first word of the return type (`trigger`, `setof`, `uuid`…).
    pub returns: String,
    /// Roles that may execute it (`public` until revoked).
    pub execute: Acl,
}

impl FunctionState {
    pub fn executable_by(&self, role: &str) -> bool {
        privileges_of(&self.execute, role).contains("execute")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionState {
    pub created: Loc,
    pub schema: String,
}

/// Something that happened during replay that a rule reports where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// RLS was turned off on a table that had it; `resolved` once it is re-enabled or the table dropped.
    RlsDisabled {
        table: Key,
        at: Loc,
        enabled_at: Loc,
        resolved: bool,
    },
}

/// A default-privileges entry: grants applied to objects created later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultGrant {
    pub tables: BTreeMap<String, BTreeSet<String>>,
    pub functions: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct SchemaState {
    pub schemas: BTreeSet<String>,
    pub tables: BTreeMap<Key, TableState>,
    pub views: BTreeMap<Key, ViewState>,
    /// Keyed by schema, name and normalised argument types joined with `,`.
    pub functions: BTreeMap<(String, String, String), FunctionState>,
    pub extensions: BTreeMap<String, ExtensionState>,
    /// Default privileges: global (key `None`) and per schema.
    pub default_privileges: BTreeMap<Option<String>, DefaultGrant>,
    pub events: Vec<Event>,
}

/// Schemas a Supabase (or plain PostgreSQL) database has before any migration runs.
pub const PLATFORM_SCHEMAS: &[&str] = &[
    "public",
    "auth",
    "storage",
    "extensions",
    "graphql",
    "graphql_public",
    "realtime",
    "vault",
    "pgsodium",
    "net",
    "cron",
    "supabase_functions",
    "pg_catalog",
    "information_schema",
];

/// The migrations in one directory, in the order the migration tools apply them.
#[derive(Debug, Clone)]
pub struct MigrationSet {
    pub dir: String,
    pub files: Vec<MigrationFile>,
    pub state: SchemaState,
    /// Schemas exposed through the API, from `supabase/config.toml` `[api] schemas` when present.
    pub exposed_schemas: Option<Vec<String>>,
}

impl MigrationSet {
    /// Groups SQL files into sets (the `migrations` directory, or the file's directory), orders each
    /// set, and replays it.
    pub fn build_all(files: &[ParsedFile]) -> Vec<MigrationSet> {
        let mut by_dir: BTreeMap<String, Vec<(&ParsedFile, String)>> = BTreeMap::new();
        for file in files.iter().filter(|f| f.sql().is_some()) {
            let (dir, relative) = set_root(&file.source.path);
            by_dir.entry(dir).or_default().push((file, relative));
        }
        by_dir
            .into_iter()
            .map(|(dir, mut group)| {
                group.sort_by(|a, b| compare_migration_names(&a.1, &b.1));
                let files: Vec<MigrationFile> = group
                    .iter()
                    .map(|(f, relative)| MigrationFile {
                        file: f.id,
                        is_down: is_down_migration(&f.source.path),
                        relative: relative.clone(),
                    })
                    .collect();
                let ordered: Vec<&ParsedFile> = group.iter().map(|(f, _)| *f).collect();
                let state = replay(&ordered);
                let exposed_schemas = group
                    .first()
                    .and_then(|(f, _)| supabase_api_schemas(&f.source.disk_path, &dir));
                MigrationSet {
                    dir,
                    files,
                    state,
                    exposed_schemas,
                }
            })
            .collect()
    }

    /// The exposed schemas: the rule's option when set, else the project's config, else `public`.
    pub fn exposed<'a>(&'a self, option: &'a Option<Vec<String>>) -> &'a [String] {
        static PUBLIC: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["public".to_string()]);
        option
            .as_deref()
            .or(self.exposed_schemas.as_deref())
            .unwrap_or(PUBLIC.as_slice())
    }
}

/// The set a file belongs to: everything under a `migrations` directory (Prisma and golang-migrate
/// keep one directory per migration), otherwise the file's own directory.
/// The migration set a SQL file belongs to (its `migrations` directory, or its own directory).
pub fn set_key(path: &str) -> String {
    set_root(path).0
}

fn set_root(path: &str) -> (String, String) {
    let parts: Vec<&str> = path.split('/').collect();
    if let Some(k) = parts[..parts.len().saturating_sub(1)]
        .iter()
        .rposition(|p| p.eq_ignore_ascii_case("migrations") || p.eq_ignore_ascii_case("migration"))
    {
        return (parts[..=k].join("/"), parts[k + 1..].join("/"));
    }
    match path.rsplit_once('/') {
        Some((dir, name)) => (dir.to_string(), name.to_string()),
        None => (String::new(), path.to_string()),
    }
}

/// Reads `[api] schemas` from `supabase/config.toml` next to a `supabase/migrations` set.
fn supabase_api_schemas(disk_path: &std::path::Path, dir: &str) -> Option<Vec<String>> {
    if !dir.ends_with("supabase/migrations") && dir != "migrations" {
        return None;
    }
    let migrations_dir = disk_path
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "migrations"))?;
    let supabase = migrations_dir.parent()?;
    // Read like every config file: a regular file inside `supabase/`, never through a symlink
    // out of it, with a size cap.
    let text = crate::fsread::read_config(
        &supabase.join("config.toml"),
        crate::fsread::Confine::Within(supabase),
        1024 * 1024,
    )
    .ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    let schemas = value.get("api")?.get("schemas")?.as_array()?;
    Some(
        schemas
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect(),
    )
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// `*.down.sql`, `*_down.sql`, `*_rollback.sql`, `*.rollback.sql`, and `down.sql` in a per-migration
/// directory undo a migration.
pub fn is_down_migration(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    let stem = name.strip_suffix(".sql").unwrap_or(&name);
    stem == "down"
        || stem == "rollback"
        || ["down", "rollback"].iter().any(|suffix| {
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
    state
        .schemas
        .extend(PLATFORM_SCHEMAS.iter().map(|s| s.to_string()));
    for file in files.iter().filter(|f| !is_down_migration(&f.source.path)) {
        let Some(sql) = file.sql() else { continue };
        // Each file runs in its own session: search_path starts from the default.
        let mut r = Replay {
            state: &mut state,
            file: file.id,
            search_path: vec!["public".into()],
            saved_path: None,
            in_transaction: false,
        };
        for statement in sql.statements.iter().filter(|s| !s.down) {
            for fact in &statement.facts {
                r.apply(statement.span, fact);
            }
        }
    }
    state
}

struct Replay<'s> {
    state: &'s mut SchemaState,
    file: FileId,
    search_path: Vec<String>,
    /// The session path to restore when a transaction with `SET LOCAL` ends.
    saved_path: Option<Vec<String>>,
    in_transaction: bool,
}

impl Replay<'_> {
    /// The schema a new object goes into: the first existing schema on the path.
    fn creation_schema(&self, explicit: &Option<String>) -> String {
        if let Some(schema) = explicit {
            return schema.clone();
        }
        self.search_path
            .iter()
            .find(|s| self.state.schemas.contains(*s))
            .cloned()
            .unwrap_or_else(|| "public".into())
    }

    /// Where an existing object is found, `pg_temp` first as PostgreSQL does.
    fn lookup(&self, name: &QualName, exists: impl Fn(&Key) -> bool) -> Key {
        if let Some(schema) = &name.schema {
            return (schema.clone(), name.name.clone());
        }
        std::iter::once("pg_temp")
            .chain(self.search_path.iter().map(String::as_str))
            .map(|s| (s.to_string(), name.name.clone()))
            .find(|k| exists(k))
            .unwrap_or_else(|| (self.creation_schema(&None), name.name.clone()))
    }

    fn table_key(&self, name: &QualName) -> Key {
        let tables = &self.state.tables;
        self.lookup(name, |k| tables.contains_key(k))
    }

    fn view_key(&self, name: &QualName) -> Key {
        let views = &self.state.views;
        self.lookup(name, |k| views.contains_key(k))
    }

    /// A table by name; a schema-qualified table the set never created (a platform table such as
    /// `storage.objects`) is added as external so its policies are tracked.
    fn table_mut(&mut self, name: &QualName, at: Loc) -> Option<&mut TableState> {
        let key = self.table_key(name);
        if !self.state.tables.contains_key(&key) {
            let platform = name
                .schema
                .as_deref()
                .is_some_and(|s| PLATFORM_SCHEMAS.contains(&s) && s != "public");
            if !platform {
                return None;
            }
            self.state.tables.insert(key.clone(), external_table(at));
        }
        self.state.tables.get_mut(&key)
    }

    fn function_keys(&self, func: &FuncRef) -> Vec<(String, String, String)> {
        let functions = &self.state.functions;
        let args = func.args.as_ref().map(|a| a.join(","));
        let matches = |k: &(String, String, String), schema: &str| {
            k.0 == schema && k.1 == func.name.name && args.as_ref().is_none_or(|a| &k.2 == a)
        };
        let schemas: Vec<String> = match &func.name.schema {
            Some(s) => vec![s.clone()],
            None => self.search_path.clone(),
        };
        for schema in schemas {
            let found: Vec<_> = functions
                .keys()
                .filter(|k| matches(k, &schema))
                .cloned()
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn default_acl(&self, schema: &str, functions: bool) -> Acl {
        let mut acl: Acl = BTreeMap::new();
        let none: Loc = (self.file, Span::empty(0));
        let global = self.state.default_privileges.get(&None);
        if functions && global.is_none() {
            acl.entry("public".into())
                .or_default()
                .insert("execute".into(), none);
        }
        for entry in [
            global,
            self.state.default_privileges.get(&Some(schema.to_string())),
        ]
        .into_iter()
        .flatten()
        {
            let grants = if functions {
                &entry.functions
            } else {
                &entry.tables
            };
            for (role, privs) in grants {
                for p in privs {
                    acl.entry(role.clone()).or_default().insert(p.clone(), none);
                }
            }
        }
        acl
    }

    fn apply(&mut self, stmt: Span, fact: &Fact) {
        let here: Loc = (self.file, stmt);
        let file = self.file;
        match fact {
            Fact::CreateTable(create) => {
                let schema = if create.temporary {
                    "pg_temp".to_string()
                } else {
                    self.creation_schema(&create.name.schema)
                };
                let partition_of = create
                    .partition_of
                    .as_ref()
                    .map(|parent| self.table_key(parent));
                let columns = match (&create.columns, &partition_of) {
                    (Some(cols), _) => Some(
                        cols.iter()
                            .map(|c| ColumnState {
                                name: c.name.clone(),
                                ty: c.ty.clone(),
                                at: (file, c.name_span),
                            })
                            .collect(),
                    ),
                    (None, Some(parent)) => self
                        .state
                        .tables
                        .get(parent)
                        .and_then(|p| p.columns.clone()),
                    (None, None) => None,
                };
                let grants = self.default_acl(&schema, false);
                let key = (schema, create.name.name.clone());
                self.state.tables.entry(key).or_insert(TableState {
                    created: (file, create.name_span),
                    temporary: create.temporary,
                    kind: create.kind,
                    external: false,
                    columns,
                    partition_of,
                    rls_enabled: None,
                    rls_forced: false,
                    policies: BTreeMap::new(),
                    grants,
                    open_disable: None,
                });
            }
            Fact::DropTable { name, .. } => {
                let key = self.table_key(name);
                if let Some(table) = self.state.tables.remove(&key) {
                    self.resolve_event(table.open_disable);
                }
            }
            Fact::RenameTable { from, to } => {
                let key = self.table_key(from);
                if let Some(table) = self.state.tables.remove(&key) {
                    self.state.tables.insert((key.0, to.clone()), table);
                } else {
                    self.rename_view(from, to);
                }
            }
            Fact::SetTableSchema { table, schema } => {
                let key = self.table_key(table);
                if let Some(t) = self.state.tables.remove(&key) {
                    self.state.tables.insert((schema.clone(), key.1), t);
                } else {
                    self.move_view(table, schema);
                }
            }
            Fact::SetRls { table, enabled } => {
                let key = self.table_key(table);
                let next_event = self.state.events.len();
                let Some(t) = self.table_mut(table, here) else {
                    return;
                };
                match (*enabled, t.rls_enabled) {
                    (true, _) => {
                        t.rls_enabled = Some(here);
                        let open = t.open_disable.take();
                        self.resolve_event(open);
                    }
                    (false, Some(enabled_at)) => {
                        t.rls_enabled = None;
                        t.open_disable = Some(next_event);
                        self.state.events.push(Event::RlsDisabled {
                            table: key,
                            at: here,
                            enabled_at,
                            resolved: false,
                        });
                    }
                    (false, None) => {}
                }
            }
            Fact::ForceRls { table, forced } => {
                if let Some(t) = self.table_mut(table, here) {
                    t.rls_forced = *forced;
                }
            }
            Fact::AddColumn { table, column } => {
                let key = self.table_key(table);
                if let Some(cols) = self
                    .state
                    .tables
                    .get_mut(&key)
                    .and_then(|t| t.columns.as_mut())
                    && !cols.iter().any(|c| c.name == column.name)
                {
                    cols.push(ColumnState {
                        name: column.name.clone(),
                        ty: column.ty.clone(),
                        at: (file, column.name_span),
                    });
                }
            }
            Fact::DropColumn { table, name } => {
                let key = self.table_key(table);
                if let Some(cols) = self.columns_mut(&key) {
                    cols.retain(|c| &c.name != name);
                }
            }
            Fact::RenameColumn { table, from, to } => {
                let key = self.table_key(table);
                if let Some(col) = self
                    .columns_mut(&key)
                    .and_then(|cols| cols.iter_mut().find(|c| &c.name == from))
                {
                    col.name = to.clone();
                }
            }
            Fact::AlterColumnType { table, name, ty } => {
                let key = self.table_key(table);
                if let Some(col) = self
                    .columns_mut(&key)
                    .and_then(|cols| cols.iter_mut().find(|c| &c.name == name))
                {
                    col.ty = ty.clone();
                }
            }
            Fact::AttachPartition { parent, child } => {
                let parent = self.table_key(parent);
                let key = self.table_key(child);
                if let Some(t) = self.state.tables.get_mut(&key) {
                    t.partition_of = Some(parent);
                }
            }
            Fact::DetachPartition { child } => {
                let key = self.table_key(child);
                if let Some(t) = self.state.tables.get_mut(&key) {
                    t.partition_of = None;
                }
            }
            Fact::CreateView(view) => {
                let schema = if view.temporary {
                    "pg_temp".to_string()
                } else {
                    self.creation_schema(&view.name.schema)
                };
                let key = (schema.clone(), view.name.name.clone());
                // CREATE OR REPLACE keeps the grants and replaces the options.
                let grants = match self.state.views.get(&key) {
                    Some(old) => old.grants.clone(),
                    None => self.default_acl(&schema, false),
                };
                self.state.views.insert(
                    key,
                    ViewState {
                        created: (file, view.name_span),
                        materialized: view.materialized,
                        temporary: view.temporary,
                        security_invoker: view.security_invoker,
                        reads: view.reads.clone(),
                        grants,
                    },
                );
            }
            Fact::SetViewInvoker { name, invoker } => {
                let key = self.view_key(name);
                if let Some(v) = self.state.views.get_mut(&key) {
                    v.security_invoker = *invoker;
                }
            }
            Fact::RenameView { from, to } => self.rename_view(from, to),
            Fact::SetViewSchema { name, schema } => self.move_view(name, schema),
            Fact::DropView { name } => {
                let key = self.view_key(name);
                self.state.views.remove(&key);
            }
            Fact::CreatePolicy(p) => {
                let policy = PolicyState {
                    name: p.name.clone(),
                    created: (file, p.name_span),
                    permissive: p.permissive,
                    command: p.command,
                    roles: p.roles.clone(),
                    using: p.using.clone().map(|e| (file, e)),
                    with_check: p.with_check.clone().map(|e| (file, e)),
                };
                // A policy on a table these migrations never created (made in the dashboard, or
                // by a migration outside the set) is still worth checking: keep it on a
                // placeholder, which the RLS-state rules skip.
                let key = self.table_key(&p.table);
                let table = self
                    .state
                    .tables
                    .entry(key)
                    .or_insert_with(|| external_table(here));
                table.policies.entry(p.name.clone()).or_insert(policy);
            }
            Fact::AlterPolicy(a) => {
                let Some(t) = self.table_mut(&a.table, here) else {
                    return;
                };
                if let Some(to) = &a.rename_to {
                    if let Some(mut p) = t.policies.remove(&a.name) {
                        p.name = to.clone();
                        t.policies.insert(to.clone(), p);
                    }
                    return;
                }
                if let Some(p) = t.policies.get_mut(&a.name) {
                    if let Some(roles) = &a.roles {
                        p.roles = roles.clone();
                    }
                    if let Some(e) = &a.using {
                        p.using = Some((file, e.clone()));
                    }
                    if let Some(e) = &a.with_check {
                        p.with_check = Some((file, e.clone()));
                    }
                }
            }
            Fact::DropPolicy { name, table } => {
                if let Some(t) = self.table_mut(table, here) {
                    t.policies.remove(name);
                }
            }
            Fact::Grant(g) => self.grant(g),
            Fact::DefaultPrivileges(d) => {
                let keys: Vec<Option<String>> = if d.schemas.is_empty() {
                    vec![None]
                } else {
                    d.schemas.iter().cloned().map(Some).collect()
                };
                for key in keys {
                    let global = key.is_none();
                    let entry = self.state.default_privileges.entry(key).or_insert_with(|| {
                        let mut g = DefaultGrant::default();
                        if global {
                            g.functions
                                .insert("public".into(), BTreeSet::from(["execute".to_string()]));
                        }
                        g
                    });
                    let map = match d.objects {
                        DefaultObjects::Tables => &mut entry.tables,
                        DefaultObjects::Functions => &mut entry.functions,
                        DefaultObjects::Other => continue,
                    };
                    for role in &d.grantees {
                        let privs = map.entry(role.clone()).or_default();
                        for p in &d.privileges {
                            if d.revoke {
                                privs.remove(p);
                            } else {
                                privs.insert(p.clone());
                            }
                        }
                    }
                    map.retain(|_, privs| !privs.is_empty());
                }
            }
            Fact::CreateFunction(f) => {
                let schema = self.creation_schema(&f.name.schema);
                let key = (schema.clone(), f.name.name.clone(), f.args.join(","));
                let execute = match self.state.functions.get(&key) {
                    Some(old) => old.execute.clone(),
                    None => self.default_acl(&schema, true),
                };
                self.state.functions.insert(
                    key,
                    FunctionState {
                        created: (file, f.name_span),
                        args: f.args.clone(),
                        security_definer: f.security_definer,
                        search_path: f.search_path.clone(),
                        procedure: f.procedure,
                        returns: f.returns.clone(),
                        execute,
                    },
                );
            }
            Fact::AlterFunction(a) => {
                for key in self.function_keys(&a.func) {
                    let Some(mut func) = self.state.functions.remove(&key) else {
                        continue;
                    };
                    if let Some(definer) = a.security_definer {
                        func.security_definer = definer;
                    }
                    if let Some(path) = &a.search_path {
                        func.search_path = path.clone();
                    }
                    let mut key = key;
                    if let Some(to) = &a.rename_to {
                        key.1 = to.clone();
                    }
                    if let Some(schema) = &a.set_schema {
                        key.0 = schema.clone();
                    }
                    self.state.functions.insert(key, func);
                }
            }
            Fact::DropFunction { funcs } => {
                for func in funcs {
                    for key in self.function_keys(func) {
                        self.state.functions.remove(&key);
                    }
                }
            }
            Fact::CreateSchema { name } => {
                self.state.schemas.insert(name.clone());
            }
            Fact::DropSchema { name, .. } => {
                self.state.schemas.remove(name);
                self.state.tables.retain(|k, _| &k.0 != name);
                self.state.views.retain(|k, _| &k.0 != name);
                self.state.functions.retain(|k, _| &k.0 != name);
                self.state.extensions.retain(|_, e| &e.schema != name);
            }
            Fact::CreateExtension {
                name,
                name_span,
                schema,
            } => {
                let schema = self.creation_schema(schema);
                self.state
                    .extensions
                    .entry(name.clone())
                    .or_insert(ExtensionState {
                        created: (file, *name_span),
                        schema,
                    });
            }
            Fact::SetExtensionSchema { name, schema } => {
                if let Some(e) = self.state.extensions.get_mut(name) {
                    e.schema = schema.clone();
                }
            }
            Fact::DropExtension { name } => {
                self.state.extensions.remove(name);
            }
            Fact::SetSearchPath { schemas, local } => {
                let schemas: Vec<String> = schemas
                    .iter()
                    .filter(|s| s.as_str() != "$user")
                    .cloned()
                    .collect();
                if *local {
                    // SET LOCAL outside a transaction block has no effect.
                    if !self.in_transaction {
                        return;
                    }
                    if self.saved_path.is_none() {
                        self.saved_path = Some(self.search_path.clone());
                    }
                }
                self.search_path = schemas;
            }
            Fact::Transaction { begin } => {
                self.in_transaction = *begin;
                if !begin && let Some(path) = self.saved_path.take() {
                    self.search_path = path;
                }
            }
            Fact::LiteralSecret { .. } => {}
        }
    }

    fn columns_mut(&mut self, key: &Key) -> Option<&mut Vec<ColumnState>> {
        self.state
            .tables
            .get_mut(key)
            .and_then(|t| t.columns.as_mut())
    }

    fn resolve_event(&mut self, index: Option<usize>) {
        if let Some(Event::RlsDisabled { resolved, .. }) =
            index.and_then(|i| self.state.events.get_mut(i))
        {
            *resolved = true;
        }
    }

    fn rename_view(&mut self, from: &QualName, to: &str) {
        let key = self.view_key(from);
        if let Some(v) = self.state.views.remove(&key) {
            self.state.views.insert((key.0, to.to_string()), v);
        }
    }

    fn move_view(&mut self, name: &QualName, schema: &str) {
        let key = self.view_key(name);
        if let Some(v) = self.state.views.remove(&key) {
            self.state.views.insert((schema.to_string(), key.1), v);
        }
    }

    fn grant(&mut self, g: &Grant) {
        let at: Loc = (self.file, g.span);
        let edit = |acl: &mut Acl| {
            for role in &g.grantees {
                if g.revoke {
                    if let Some(privs) = acl.get_mut(role) {
                        for p in &g.privileges {
                            privs.remove(p);
                        }
                    }
                } else {
                    let privs = acl.entry(role.clone()).or_default();
                    for p in &g.privileges {
                        privs.insert(p.clone(), at);
                    }
                }
            }
            acl.retain(|_, privs| !privs.is_empty());
        };
        match &g.target {
            GrantTarget::Tables(names) => {
                for name in names {
                    let key = self.table_key(name);
                    if let Some(t) = self.state.tables.get_mut(&key) {
                        edit(&mut t.grants);
                        continue;
                    }
                    let key = self.view_key(name);
                    if let Some(v) = self.state.views.get_mut(&key) {
                        edit(&mut v.grants);
                    }
                }
            }
            GrantTarget::AllTablesIn(schemas) => {
                for (key, t) in self.state.tables.iter_mut() {
                    if schemas.contains(&key.0) && !t.external {
                        edit(&mut t.grants);
                    }
                }
                for (key, v) in self.state.views.iter_mut() {
                    if schemas.contains(&key.0) {
                        edit(&mut v.grants);
                    }
                }
            }
            GrantTarget::Functions(funcs) => {
                for func in funcs {
                    for key in self.function_keys(func) {
                        if let Some(f) = self.state.functions.get_mut(&key) {
                            edit(&mut f.execute);
                        }
                    }
                }
            }
            GrantTarget::AllFunctionsIn(schemas) => {
                for (key, f) in self.state.functions.iter_mut() {
                    if schemas.contains(&key.0) {
                        edit(&mut f.execute);
                    }
                }
            }
            GrantTarget::Other => {}
        }
    }
}

fn external_table(at: Loc) -> TableState {
    TableState {
        created: at,
        temporary: false,
        kind: RelKind::Table,
        external: true,
        columns: None,
        partition_of: None,
        rls_enabled: None,
        rls_forced: false,
        policies: BTreeMap::new(),
        grants: BTreeMap::new(),
        open_disable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, FileKind};
    use crate::source::SourceFile;

    pub(crate) fn state_of(files: &[(&str, &str)]) -> SchemaState {
        let parsed: Vec<ParsedFile> = files
            .iter()
            .enumerate()
            .map(|(id, (path, text))| ParsedFile {
                id,
                kind: FileKind::Sql,
                source: SourceFile::in_memory(path, text),
                document: Document::Sql(super::super::SqlFile::parse(text)),
            })
            .collect();
        let mut sets = MigrationSet::build_all(&parsed);
        assert_eq!(sets.len(), 1);
        sets.remove(0).state
    }

    fn key(s: &str, n: &str) -> Key {
        (s.into(), n.into())
    }

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
        assert!(is_down_migration("migrations/0003_x/down.sql"));
        assert!(!is_down_migration("db/0001_init.up.sql"));
        assert!(!is_down_migration("db/0002_rollback_support_table.sql"));
    }

    #[test]
    fn per_migration_directories_form_one_set() {
        assert_eq!(
            set_root("prisma/migrations/2024_init/migration.sql"),
            ("prisma/migrations".into(), "2024_init/migration.sql".into())
        );
        assert_eq!(set_root("db/1.sql"), ("db".into(), "1.sql".into()));
    }

    #[test]
    fn replays_tables_policies_grants_and_functions() {
        let state = state_of(&[
            (
                "m/1.sql",
                "create schema app;\nset search_path = app, public;\ncreate table t (id int, token text);\nalter table t enable row level security;\ncreate policy p on t for select to anon using (true);\ngrant select on t to anon;\ncreate function f() returns int security definer language sql as 'select 1';",
            ),
            (
                "m/2.sql",
                "alter table app.t rename to u;\nalter policy p on app.u rename to q;\nrevoke execute on function app.f from public;\ncreate table t2 (id int);\nalter table t2 enable row level security;\nalter table t2 disable row level security;",
            ),
            ("m/2.down.sql", "drop table app.u;"),
        ]);
        let u = &state.tables[&key("app", "u")];
        assert!(u.rls_enabled.is_some());
        assert_eq!(u.policies.keys().collect::<Vec<_>>(), vec!["q"]);
        assert_eq!(u.privileges_of("anon"), BTreeSet::from(["select"]));
        let f = state.functions.values().next().unwrap();
        assert!(f.security_definer && !f.executable_by("anon"));
        // The search path resets per file: t2 goes to public.
        assert!(state.tables[&key("public", "t2")].rls_enabled.is_none());
        assert!(matches!(
            &state.events[..],
            [Event::RlsDisabled {
                resolved: false,
                ..
            }]
        ));
    }

    #[test]
    fn default_privileges_apply_to_later_tables() {
        let state = state_of(&[(
            "m/1.sql",
            "create table a (id int);\nalter default privileges in schema public grant select on tables to anon;\ncreate table b (id int);\nalter default privileges revoke execute on functions from public;\ncreate function f() returns int language sql as 'select 1';",
        )]);
        assert!(
            state.tables[&key("public", "a")]
                .privileges_of("anon")
                .is_empty()
        );
        assert_eq!(
            state.tables[&key("public", "b")].privileges_of("anon"),
            BTreeSet::from(["select"])
        );
        assert!(
            !state
                .functions
                .values()
                .next()
                .unwrap()
                .executable_by("anon")
        );
    }

    #[test]
    fn set_local_only_inside_a_transaction() {
        let state = state_of(&[(
            "m/1.sql",
            "create schema s;\nset local search_path = s;\ncreate table a (id int);\nbegin;\nset local search_path = s;\ncreate table b (id int);\ncommit;\ncreate table c (id int);",
        )]);
        let keys: Vec<&Key> = state.tables.keys().collect();
        assert_eq!(
            keys,
            vec![&key("public", "a"), &key("public", "c"), &key("s", "b")]
        );
    }
}
