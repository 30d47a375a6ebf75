//! JUnit XML: one testsuite per enabled rule, one testcase per rule and file of a kind the rule
//! checks; a finding is a failure of its testcase.

use std::collections::BTreeMap;

use super::visible;
use crate::finding::Finding;
use crate::outcome::Report;

pub fn render(report: &Report) -> String {
    let mut by_case: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_case
            .entry((f.rule, f.path.as_str()))
            .or_default()
            .push(f);
    }
    let mut suites = String::new();
    let (mut total, mut total_failures) = (0, 0);
    let mut rule_ids: Vec<&str> = report.rules.clone();
    for f in &report.findings {
        if !rule_ids.contains(&f.rule) {
            rule_ids.push(f.rule);
        }
    }
    for rule in rule_ids {
        let kind = rule.split_once('/').map_or(rule, |(k, _)| k);
        let mut paths: Vec<&str> = report
            .files
            .iter()
            .filter(|(_, k)| kind == k.rule_kind() || kind == "secret" || kind == "tollgate")
            .map(|(p, _)| p.as_str())
            .collect();
        paths.extend(by_case.keys().filter(|(r, _)| *r == rule).map(|(_, p)| *p));
        paths.sort_unstable();
        paths.dedup();
        if paths.is_empty() {
            continue; // the rule checks a kind this scan did not meet
        }
        let failures = paths
            .iter()
            .filter(|p| by_case.contains_key(&(rule, **p)))
            .count();
        total += paths.len();
        total_failures += failures;
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            xml(rule),
            paths.len()
        ));
        for path in paths {
            suites.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(rule),
                xml(&visible(path))
            ));
            match by_case.get(&(rule, path)) {
                None => suites.push_str("/>\n"),
                Some(findings) => {
                    suites.push_str(">\n");
                    for f in findings {
                        let body = format!(
                            "{}:{}:{}: {}{}",
                            visible(&f.path),
                            f.start.line,
                            f.start.column,
                            visible(&f.message),
                            f.help
                                .as_ref()
                                .map(|h| format!("\nhelp: {}", visible(h)))
                                .unwrap_or_default()
                        );
                        suites.push_str(&format!(
                            "      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                            f.level,
                            xml(&visible(&f.message)),
                            xml(&body)
                        ));
                    }
                    suites.push_str("    </testcase>\n");
                }
            }
        }
        suites.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tollgate\" tests=\"{total}\" failures=\"{total_failures}\">\n{suites}</testsuites>\n"
    )
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
