//! Human output: each finding rendered by miette (source snippet, label, help, rule id and docs
//! link), then a summary line with counts, files scanned and elapsed time.

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
};

use super::{RenderOptions, redacted_source};
use crate::finding::{Finding, Level};
use crate::outcome::Report;
use crate::rules;

pub fn render(report: &Report, options: RenderOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let mut out = String::new();
    if !options.quiet {
        for finding in &report.findings {
            let diag = HumanDiagnostic::new(report, finding);
            if handler.render_report(&mut out, &diag).is_err() {
                out.push_str(&format!(
                    "{}:{}:{}: {} [{}]\n",
                    finding.path,
                    finding.start.line,
                    finding.start.column,
                    finding.message,
                    finding.rule
                ));
            }
            out.push('\n');
        }
    }
    out.push_str(&summary(report));
    out
}

pub fn summary(report: &Report) -> String {
    let (e, w, n) = (
        report.count(Level::Error),
        report.count(Level::Warning),
        report.count(Level::Note),
    );
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mark = if e + w == 0 { "✔" } else { "✖" };
    let mut line = format!(
        "{mark} {}, {}, {} in {} checked",
        plural(e, "error"),
        plural(w, "warning"),
        plural(n, "note"),
        plural(report.files.len(), "file"),
    );
    if !report.suppressed.is_empty() {
        line.push_str(&format!(" ({} suppressed)", report.suppressed.len()));
    }
    line.push_str(&format!(
        " in {:.2}s · policy {} ({})\n",
        report.elapsed.as_secs_f64(),
        report.policy_name,
        report.policy_hash
    ));
    line.push_str(&crate::report::adoption_notes(report));
    line
}

#[derive(Debug)]
struct HumanDiagnostic {
    message: String,
    code: &'static str,
    severity: Severity,
    help: Option<String>,
    url: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
}

impl HumanDiagnostic {
    fn new(report: &Report, f: &Finding) -> Self {
        let severity = match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Advice,
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(label(f)),
            (f.span.start, f.span.len()),
        )];
        let mut help = f.help.clone();
        for related in &f.related {
            if related.path == f.path {
                labels.push(LabeledSpan::new_with_span(
                    Some(related.message.clone()),
                    (related.span.start, related.span.len()),
                ));
            } else {
                let note = format!(
                    "{} ({}:{}:{})",
                    related.message, related.path, related.start.line, related.start.column
                );
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        Self {
            message: f.message.clone(),
            code: f.rule,
            severity,
            help,
            url: rules::meta(f.rule).map(|m| m.docs_url()),
            source: NamedSource::new(f.path.clone(), redacted_source(report, f)),
            labels,
        }
    }
}

fn label(f: &Finding) -> String {
    rules::meta(f.rule).map_or_else(|| f.rule.to_string(), |m| m.summary.to_lowercase())
}

impl std::fmt::Display for HumanDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HumanDiagnostic {}

impl Diagnostic for HumanDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.clone().into_iter()))
    }
}
