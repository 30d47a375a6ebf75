use crate::declare_rule;
use crate::document::Project;
use crate::finding::Diagnostic;
use crate::rules::{Rule, RuleMeta, Sink};
use crate::source::Span;

declare_rule! {
    /// Every forward migration has a rollback (down) counterpart.
    ///
    /// ## Why it matters
    /// Teams whose runbooks say "rollback script tested" need one to exist for every migration, so a
    /// failed deploy can be undone without writing SQL under pressure. A forward migration is paired
    /// with `<name>.down.sql`, `<name>_down.sql`, `<name>_rollback.sql` (`<name>.up.sql` ↔
    /// `<name>.down.sql`), `up.sql` ↔ `down.sql` in a per-migration directory, Flyway `V…` ↔ `U…`, or
    /// a `-- +goose Down` section in the same file. Off by default: many teams roll forward instead.
    /// Reported at the first line of the forward migration.
    ///
    /// ## Violating example
    /// ```sql
    /// -- supabase/migrations/003_bot_registration.sql, with no 003_bot_registration_rollback.sql
    /// create table public.bots (id uuid primary key);
    /// ```
    ///
    /// ## Compliant example
    /// ```sql
    /// -- +goose Up
    /// create table public.bots (id uuid primary key);
    /// -- +goose Down
    /// drop table if exists public.bots;
    /// ```
    ///
    /// A `003_bot_registration_rollback.sql` (or `.down.sql`) next to the forward file complies too.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - golang-migrate, dbmate, goose and Flyway (undo migrations) documentation.
    pub struct RequireRollback {}
    id: "sql/require-rollback",
    level: Off,
    summary: "Every forward migration needs a rollback counterpart",
}

const DOWN_SUFFIXES: &[&str] = &[
    ".down",
    "_down",
    "-down",
    "/down",
    ".rollback",
    "_rollback",
    "-rollback",
    "/rollback",
    ".undo",
];
const UP_SUFFIXES: &[&str] = &[".up", "_up", "-up", "/up"];

/// The name both halves of a pair share: lower-cased, without `.sql`, the up/down marker, or
/// Flyway's `V`/`U` prefix.
fn pair_key(relative: &str, down: bool) -> String {
    let lower = relative.to_ascii_lowercase();
    let mut stem = lower.strip_suffix(".sql").unwrap_or(&lower).to_string();
    let suffixes = if down { DOWN_SUFFIXES } else { UP_SUFFIXES };
    if let Some(s) = suffixes.iter().find(|s| stem.ends_with(*s)) {
        stem.truncate(stem.len() - s.len());
    } else if stem == "down" || stem == "rollback" || stem == "up" {
        stem.clear();
    }
    let flyway_prefix = if down { 'u' } else { 'v' };
    if stem.starts_with(flyway_prefix) && stem.contains("__") {
        stem.replace_range(0..1, "v");
    }
    stem
}

impl Rule for RequireRollback {
    fn meta(&self) -> &'static RuleMeta {
        &<Self as crate::rules::Declared>::META
    }

    fn check_project(&self, project: &Project, sink: &mut Sink) {
        for set in &project.migration_sets {
            let downs: Vec<String> = set
                .files
                .iter()
                .filter(|f| {
                    f.is_down
                        || f.relative.to_ascii_lowercase().starts_with('u')
                            && f.relative.contains("__")
                })
                .map(|f| pair_key(&f.relative, true))
                .collect();
            for file in set.files.iter().filter(|f| !f.is_down) {
                let name = file.relative.to_ascii_lowercase();
                // Flyway undo (`U…`) and repeatable (`R__`) scripts are not forward migrations.
                if (name.starts_with('u') || name.starts_with("r__")) && name.contains("__") {
                    continue;
                }
                let parsed = project.file(file.file);
                let sql = parsed.sql();
                if sql.is_some_and(|s| s.has_goose_down)
                    || downs.contains(&pair_key(&file.relative, false))
                {
                    continue;
                }
                let span = sql
                    .and_then(|s| s.statements.first())
                    .map_or(Span::empty(0), |s| {
                        let line = parsed.source.lines().line_of(s.span.start);
                        parsed.source.lines().line_span(line, &parsed.source.text)
                    });
                sink.push(
                    Diagnostic::new(file.file, span, format!("migration `{}` has no rollback script", file.relative))
                        .help("add a down/rollback script next to it (for example `<name>_rollback.sql` or `<name>.down.sql`) or a `-- +goose Down` section"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pair_key;
    use crate::testing::check_sql;

    #[test]
    fn pairs_up_and_down_names() {
        assert_eq!(
            pair_key("0001_init.up.sql", false),
            pair_key("0001_init.down.sql", true)
        );
        assert_eq!(
            pair_key("003_bots.sql", false),
            pair_key("003_bots_rollback.sql", true)
        );
        assert_eq!(
            pair_key("2024_x/up.sql", false),
            pair_key("2024_x/down.sql", true)
        );
        assert_eq!(
            pair_key("V2__add.sql", false),
            pair_key("U2__add.sql", true)
        );
    }

    #[test]
    fn reports_forward_migrations_without_rollback() {
        let files = [
            ("m/001_a.sql", "-- header\ncreate table a (id int);"),
            ("m/001_a_rollback.sql", "drop table a;"),
            ("m/002_b.sql", "\n\ncreate table b (id int);"),
            (
                "m/003_c.sql",
                "-- +goose Up\ncreate table c (id int);\n-- +goose Down\ndrop table c;",
            ),
        ];
        assert_eq!(
            check_sql("sql/require-rollback", &files),
            vec!["m/002_b.sql:3:1 migration `002_b.sql` has no rollback script"]
        );
    }
}
