//! The README's rule table lists every registered rule with its default level.

#[test]
fn readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for entry in tollgate::rules::REGISTRY {
        let row = format!(
            "| `{}` | {} |",
            entry.meta.id,
            entry.meta.default_level.as_str()
        );
        assert!(
            readme.contains(&row),
            "README rule table lacks the row starting `{row}`"
        );
    }
}
