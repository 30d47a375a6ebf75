//! Cross-check: every fixture set under `fixtures/sql/pg/` is applied to a real PostgreSQL (with a
//! small Supabase shim) and the analyser's replayed state must match the catalog exactly.
//!
//! Needs PostgreSQL server binaries (Debian: `apt-get install -y postgresql`). Missing binaries fail
//! the test unless `TOLLGATE_SKIP_PG=1` is set.

#[path = "support/pg.rs"]
mod pg;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use tollgate::document::sql::{
    MigrationSet, PLATFORM_SCHEMAS, RelKind, SqlFile, compare_migration_names, is_down_migration,
};
use tollgate::document::{Document, FileKind, ParsedFile, Project};
use tollgate::source::SourceFile;

const ROLES: &str = "do $$ begin
  create role anon nologin; create role authenticated nologin; create role service_role nologin bypassrls;
exception when duplicate_object then null; end $$;";

const CATALOG: &str = r#"
with rel as (
  select c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'f', 'v', 'm')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname !~ '^pg_(toast|temp)'
)
select format('table %s.%s kind=%s rls=%s force=%s', nspname, relname, relkind,
              case when relrowsecurity then 't' else 'f' end,
              case when relforcerowsecurity then 't' else 'f' end)
  from rel where relkind in ('r', 'p', 'f')
union all
select format('columns %s.%s %s', nspname, relname,
  (select string_agg(a.attname, ',' order by a.attname) from pg_attribute a
   where a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped))
  from rel where relkind in ('r', 'p', 'f')
union all
select format('partition %s.%s of %s.%s', c.nspname, c.relname, p.nspname, p.relname)
  from pg_inherits i join rel c on c.oid = i.inhrelid join rel p on p.oid = i.inhparent
  where p.relkind = 'p'
union all
select format('policy %s.%s %s cmd=%s %s roles=%s using=%s check=%s', schemaname, tablename,
              policyname, cmd, lower(permissive),
              array_to_string(array(select unnest(roles)::text order by 1), ','),
              case when qual is null then 'f' else 't' end,
              case when with_check is null then 'f' else 't' end)
  from pg_policies
union all
select format('privileges %s %s.%s %s', r.rolname, rel.nspname, rel.relname,
  coalesce(nullif(concat_ws(',',
    case when has_table_privilege(r.oid, rel.oid, 'SELECT') then 'select' end,
    case when has_table_privilege(r.oid, rel.oid, 'INSERT') then 'insert' end,
    case when has_table_privilege(r.oid, rel.oid, 'UPDATE') then 'update' end,
    case when has_table_privilege(r.oid, rel.oid, 'DELETE') then 'delete' end), ''), '-'))
  from rel, pg_roles r where r.rolname in ('anon', 'authenticated')
union all
select format('view %s.%s materialized=%s invoker=%s', nspname, relname,
  case when relkind = 'm' then 't' else 'f' end,
  case when coalesce((select lower(option_value) from pg_options_to_table(reloptions)
                      where option_name = 'security_invoker'), 'false') in ('true', 'on', '1', 'yes')
       then 't' else 'f' end)
  from rel where relkind in ('v', 'm')
union all
select format('function %s.%s secdef=%s search_path=%s anon_exec=%s', n.nspname, p.proname,
  case when p.prosecdef then 't' else 'f' end,
  case when exists (select 1 from unnest(p.proconfig) x where x like 'search_path=%') then 't' else 'f' end,
  case when has_function_privilege('anon', p.oid, 'EXECUTE') then 't' else 'f' end)
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname not in ('pg_catalog', 'information_schema')
    and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                    and d.objid = p.oid and d.deptype = 'e')
union all
select format('extension %s schema=%s', e.extname, n.nspname)
  from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname <> 'plpgsql'
union all
select format('schema %s', nspname) from pg_namespace
  where nspname !~ '^pg_' and nspname <> 'information_schema'
"#;

fn tf(b: bool) -> char {
    if b { 't' } else { 'f' }
}

/// The analyser's final state in the catalog query's line format.
fn analyser_lines(set: &MigrationSet) -> Vec<String> {
    let state = &set.state;
    let mut lines = Vec::new();
    let privileges = |privs: std::collections::BTreeSet<&str>| {
        let list: Vec<&str> = ["select", "insert", "update", "delete"]
            .into_iter()
            .filter(|p| privs.contains(p))
            .collect();
        if list.is_empty() {
            "-".to_string()
        } else {
            list.join(",")
        }
    };
    for ((schema, name), t) in &state.tables {
        for (policy_name, p) in &t.policies {
            let mut roles = p.roles.clone();
            roles.sort();
            lines.push(format!(
                "policy {schema}.{name} {policy_name} cmd={} {} roles={} using={} check={}",
                p.command.as_str(),
                if p.permissive {
                    "permissive"
                } else {
                    "restrictive"
                },
                roles.join(","),
                tf(p.using.is_some()),
                tf(p.with_check.is_some())
            ));
        }
        if t.external || t.temporary {
            continue;
        }
        let kind = match t.kind {
            RelKind::Table => 'r',
            RelKind::Partitioned => 'p',
            RelKind::Foreign => 'f',
        };
        lines.push(format!(
            "table {schema}.{name} kind={kind} rls={} force={}",
            tf(t.rls_enabled.is_some()),
            tf(t.rls_forced)
        ));
        if let Some(columns) = &t.columns {
            let mut names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            names.sort();
            lines.push(format!("columns {schema}.{name} {}", names.join(",")));
        }
        if let Some((ps, pn)) = &t.partition_of
            && state
                .tables
                .get(&(ps.clone(), pn.clone()))
                .is_some_and(|p| p.kind == RelKind::Partitioned)
        {
            lines.push(format!("partition {schema}.{name} of {ps}.{pn}"));
        }
        for role in ["anon", "authenticated"] {
            lines.push(format!(
                "privileges {role} {schema}.{name} {}",
                privileges(t.privileges_of(role))
            ));
        }
    }
    for ((schema, name), v) in &state.views {
        if v.temporary {
            continue;
        }
        lines.push(format!(
            "view {schema}.{name} materialized={} invoker={}",
            tf(v.materialized),
            tf(v.security_invoker)
        ));
        for role in ["anon", "authenticated"] {
            let privs = ["select", "insert", "update", "delete"]
                .into_iter()
                .filter(|p| {
                    [role, "public"]
                        .iter()
                        .any(|r| v.grants.get(*r).is_some_and(|g| g.contains_key(*p)))
                })
                .collect::<Vec<_>>();
            let privs = if privs.is_empty() {
                "-".to_string()
            } else {
                privs.join(",")
            };
            lines.push(format!("privileges {role} {schema}.{name} {privs}"));
        }
    }
    for ((schema, name, _), f) in &state.functions {
        lines.push(format!(
            "function {schema}.{name} secdef={} search_path={} anon_exec={}",
            tf(f.security_definer),
            tf(f.search_path.is_some()),
            tf(f.executable_by("anon"))
        ));
    }
    for (name, e) in &state.extensions {
        lines.push(format!("extension {name} schema={}", e.schema));
    }
    for schema in &state.schemas {
        if !PLATFORM_SCHEMAS.contains(&schema.as_str()) {
            lines.push(format!("schema {schema}"));
        }
    }
    lines
}

fn counts(lines: &[String]) -> BTreeMap<String, isize> {
    let mut map = BTreeMap::new();
    for l in lines {
        *map.entry(l.clone()).or_insert(0) += 1;
    }
    map
}

/// `-- +goose Down` sections are not applied.
fn up_section(text: &str) -> &str {
    match text.find("-- +goose Down") {
        Some(at) => &text[..at],
        None => text,
    }
}

struct FixtureSet {
    name: String,
    files: Vec<(String, String)>,
}

fn fixture_sets() -> Vec<FixtureSet> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sql/pg");
    let mut sets: Vec<FixtureSet> = std::fs::read_dir(&root)
        .expect("fixtures/sql/pg")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let mut files: Vec<(String, String)> = std::fs::read_dir(e.path())
                .expect("set dir")
                .flatten()
                .filter(|f| f.path().extension().is_some_and(|x| x == "sql"))
                .map(|f| {
                    let file = f.file_name().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(f.path()).expect("read fixture");
                    (format!("pg/{name}/{file}"), text)
                })
                .collect();
            files.sort_by(|a, b| compare_migration_names(&a.0, &b.0));
            FixtureSet { name, files }
        })
        .collect();
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    sets
}

fn analyse(set: &FixtureSet) -> (MigrationSet, Vec<String>) {
    let files: Vec<ParsedFile> = set
        .files
        .iter()
        .enumerate()
        .map(|(id, (path, text))| ParsedFile {
            id,
            kind: FileKind::Sql,
            source: SourceFile::in_memory(path, text),
            document: Document::Sql(SqlFile::parse(text)),
        })
        .collect();
    let notes: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let path = f.source.path.clone();
            f.sql()
                .into_iter()
                .flat_map(|s| s.diagnostics.iter())
                .map(move |d| format!("{path}: {} {}", d.rule, d.message))
        })
        .collect();
    let mut project = Project::new(files);
    assert_eq!(project.migration_sets.len(), 1, "{}: one set", set.name);
    (project.migration_sets.remove(0), notes)
}

#[test]
fn analyser_state_matches_postgresql_catalog() {
    let sets = fixture_sets();
    assert!(
        sets.len() >= 20,
        "expected at least 20 fixture sets, found {}",
        sets.len()
    );
    let cluster = match pg::Cluster::start() {
        Ok(c) => c,
        Err(pg::Unavailable::Skipped(why)) => {
            eprintln!("skipping PostgreSQL cross-check: {why}");
            return;
        }
    };
    cluster.run("postgres", "create roles", ROLES);
    let shim = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sql/pg/supabase_shim.sql"),
    )
    .expect("shim");
    let mut report = String::new();
    let mut checked = 0;
    for (k, set) in sets.iter().enumerate() {
        let db = format!("set_{k}");
        cluster.run(
            "postgres",
            "create database",
            &format!("create database {db};"),
        );
        cluster.run(&db, "shim", &shim);
        let baseline = counts(&cluster.query(&db, CATALOG));
        for (path, text) in &set.files {
            if is_down_migration(path) {
                continue;
            }
            cluster.run(&db, path, up_section(text));
        }
        let mut actual = counts(&cluster.query(&db, CATALOG));
        for (line, n) in &baseline {
            if let Some(m) = actual.get_mut(line) {
                *m -= n;
            }
        }
        let (migration_set, notes) = analyse(set);
        let expected_lines = analyser_lines(&migration_set);
        // Tables whose columns cannot be known statically are compared without their columns.
        let unknown_columns: Vec<String> = migration_set
            .state
            .tables
            .iter()
            .filter(|(_, t)| t.columns.is_none() && !t.external)
            .map(|((s, n), _)| format!("columns {s}.{n} "))
            .collect();
        actual.retain(|line, n| *n > 0 && !unknown_columns.iter().any(|p| line.starts_with(p)));
        let expected = counts(&expected_lines);
        if std::env::var("TOLLGATE_PG_DEBUG").is_ok_and(|v| v == set.name) {
            eprintln!(
                "== {} ==\nanalyser: {expected:#?}\npostgres: {actual:#?}",
                set.name
            );
        }
        let mut diff: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in expected.keys().chain(actual.keys()) {
            let (e, a) = (
                expected.get(line).copied().unwrap_or(0),
                actual.get(line).copied().unwrap_or(0),
            );
            if e != a {
                let object = line.split(' ').nth(1).unwrap_or("").to_string();
                let sign = if e > a {
                    "analyser only"
                } else {
                    "postgres only"
                };
                let entry = format!("{sign}: {line}");
                let lines = diff.entry(object).or_default();
                if !lines.contains(&entry) {
                    lines.push(entry);
                }
            }
        }
        checked += 1;
        if !diff.is_empty() {
            let _ = writeln!(report, "\n== {} ==", set.name);
            for (object, lines) in diff {
                let _ = writeln!(report, "  {object}:");
                for l in lines {
                    let _ = writeln!(report, "    {l}");
                }
            }
            for n in notes {
                let _ = writeln!(report, "  note: {n}");
            }
        }
    }
    assert!(
        report.is_empty(),
        "analyser and PostgreSQL disagree:{report}"
    );
    eprintln!("cross-checked {checked} fixture sets against PostgreSQL");
}
