//! Human output: each finding rendered by miette (source snippet, label, help, rule id and docs
//! link), then a summary line with counts, files scanned and elapsed time.

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use super::RenderOptions;
use crate::finding::{Finding, Level};
use crate::outcome::Report;
use crate::rules;
use crate::source::{LineIndex, Span};

/// Findings of one file shown with a snippet; the rest are counted, so one file full of findings
/// cannot flood a terminal or a CI log (JSON and SARIF still list every finding).
pub const MAX_SNIPPETS_PER_FILE: usize = 20;
/// Characters of one line shown around a label; a longer line is cut with `…` on either side.
pub const MAX_SNIPPET_LINE_CHARS: usize = 160;
/// Lines of one multi-line label shown; the label is cut after them.
const MAX_LABEL_LINES: usize = 30;
/// Lines between the first and last label of one snippet; farther related places become notes.
const MAX_WINDOW_LINES: usize = 60;
/// Messages and help longer than this are cut (they may quote a long name from the file).
const MAX_MESSAGE_CHARS: usize = 1000;

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
        let mut index: Option<(&str, LineIndex)> = None;
        let mut shown_in_file = 0;
        let mut hidden_in_file = 0;
        for (i, finding) in report.findings.iter().enumerate() {
            crate::engine::guard::debug_injected("render", &finding.path);
            let same_file = index.as_ref().is_some_and(|(p, _)| *p == finding.path);
            if !same_file {
                shown_in_file = 0;
                hidden_in_file = 0;
                let text = report.sources.get(&finding.path).map_or("", |t| t.as_ref());
                index = Some((finding.path.as_str(), LineIndex::new(text)));
            }
            let last_of_file = report
                .findings
                .get(i + 1)
                .is_none_or(|next| next.path != finding.path);
            if shown_in_file >= MAX_SNIPPETS_PER_FILE {
                hidden_in_file += 1;
                if last_of_file {
                    out.push_str(&format!(
                        "… and {hidden_in_file} more finding{} in this file ({}) not shown; \
                         `--format json` lists every finding\n\n",
                        if hidden_in_file == 1 { "" } else { "s" },
                        super::visible(&finding.path)
                    ));
                }
                continue;
            }
            shown_in_file += 1;
            let lines = index.as_ref().map(|(_, l)| l);
            let diag = HumanDiagnostic::new(report, finding, lines);
            if handler.render_report(&mut out, &diag).is_err() {
                out.push_str(&format!(
                    "{}:{}:{}: {} [{}]\n",
                    super::visible(&finding.path),
                    finding.start.line,
                    finding.start.column,
                    diag.message,
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
    let mark = if e + w == 0 && !report.checks_nothing() {
        "✔"
    } else {
        "✖"
    };
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
    if report.binary_skipped > 0 {
        line.push_str(&format!(
            " ({} skipped)",
            plural(report.binary_skipped, "binary file")
        ));
    }
    // A policy file is always shown with its origin, so none can pass for the built-in default.
    line.push_str(&format!(
        " in {:.2}s · policy {}{} ({})\n",
        report.elapsed.as_secs_f64(),
        super::visible(&report.policy_name),
        if report.policy_builtin || report.policy_name == report.policy_origin {
            String::new()
        } else {
            format!(" from {}", super::visible(&report.policy_origin))
        },
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
    source: Snippet,
    labels: Vec<LabeledSpan>,
}

impl HumanDiagnostic {
    fn new(report: &Report, f: &Finding, lines: Option<&LineIndex>) -> Self {
        let severity = match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Advice,
        };
        let text = report.sources.get(&f.path).map_or("", |t| t.as_ref());
        let owned_index;
        let lines = match lines {
            Some(lines) => lines,
            None => {
                owned_index = LineIndex::new(text);
                &owned_index
            }
        };
        let mut help = f.help.clone();
        let mut note = |note: String| {
            help = Some(match help.take() {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        };
        let primary = f.span.clamp_to(text);
        let same_file: Vec<_> = f.related.iter().filter(|r| r.path == f.path).collect();
        // One contiguous window of lines: around every same-file label when they are close,
        // else around the primary label only (the others become notes).
        let first_line = lines.line_of(primary.start);
        let last_line = lines
            .line_of(primary.end)
            .min(first_line + MAX_LABEL_LINES - 1);
        let (mut lo, mut hi) = (first_line, last_line);
        for r in &same_file {
            let (a, b) = (lines.line_of(r.span.start), lines.line_of(r.span.end));
            if hi.max(b) - lo.min(a) < MAX_WINDOW_LINES {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        let lo = lo.saturating_sub(1);
        let hi = (hi + 1).min(lines.line_count() - 1);
        let mut spans: Vec<Span> = f.redactions.clone();
        if let Some(all) = report.redactions.get(&f.path) {
            spans.extend_from_slice(all);
        }
        let window = Window::build(text, lines, lo, hi, &[primary], &spans);
        let primary_end = primary
            .end
            .min(lines.line_span(last_line, text).end.max(primary.start));
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(label(f)),
            window.map_span(Span::new(primary.start, primary_end)),
        )];
        for related in &f.related {
            let line = lines.line_of(related.span.start);
            if related.path == f.path && (lo..=hi).contains(&line) {
                labels.push(LabeledSpan::new_with_span(
                    Some(related.message.clone()),
                    window.map_span(related.span.clamp_to(text)),
                ));
            } else {
                note(format!(
                    "{} ({}:{}:{})",
                    related.message, related.path, related.start.line, related.start.column
                ));
            }
        }
        let source = Snippet {
            name: super::visible(&f.path).into_owned(),
            text: window.text,
            first_line: lo,
            primary: labels[0].inner().offset(),
            primary_at: (
                f.start.line.saturating_sub(1),
                f.start.column.saturating_sub(1),
            ),
        };
        Self {
            message: cut(&super::visible(&f.message), MAX_MESSAGE_CHARS),
            code: f.rule,
            severity,
            // No rule writes a multi-line help: every line break in one came from a name in the file.
            help: help.map(|h| cut(&super::visible(&h), MAX_MESSAGE_CHARS)),
            url: rules::meta(f.rule).map(|m| m.docs_url()),
            source,
            labels,
        }
    }
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The lines `lo..=hi` of a file, secrets blanked, each line longer than
/// [`MAX_SNIPPET_LINE_CHARS`] cut to a window around its label with `…`: what one snippet shows.
/// Rendering cost and size are bounded by the window, not by the file or its longest line, and
/// columns stay small enough for miette (which panics past 65,535).
struct Window {
    text: String,
    /// Per shown line: (original line start, kept start, kept end, original next line start,
    /// offset of the kept start in `text`).
    lines: Vec<(usize, usize, usize, usize, usize)>,
}

impl Window {
    fn build(
        text: &str,
        index: &LineIndex,
        lo: usize,
        hi: usize,
        focus: &[Span],
        redactions: &[Span],
    ) -> Self {
        let mut out = String::new();
        let mut lines = Vec::with_capacity(hi + 1 - lo);
        for line in lo..=hi {
            let span = index.line_span(line, text);
            let next = if line + 1 < index.line_count() {
                index.line_start(line + 1)
            } else {
                text.len()
            };
            let content = &text[span.range()];
            let (keep_start, keep_end) = if content.len() <= MAX_SNIPPET_LINE_CHARS {
                (span.start, next)
            } else {
                // Centre on the first label starting on this line (or covering it), else the start.
                let anchor = focus
                    .iter()
                    .find(|f| f.start >= span.start && f.start <= span.end)
                    .map_or(span.start, |f| f.start);
                let before = &text[span.start..anchor];
                let lead = MAX_SNIPPET_LINE_CHARS / 4;
                let start = before
                    .char_indices()
                    .rev()
                    .nth(lead.saturating_sub(1))
                    .map_or(span.start, |(i, _)| span.start + i);
                let end = text[start..span.end]
                    .char_indices()
                    .nth(MAX_SNIPPET_LINE_CHARS)
                    .map_or(span.end, |(i, _)| start + i);
                if end == span.end {
                    (start, next)
                } else {
                    (start, end)
                }
            };
            if keep_start > span.start {
                out.push('…');
            }
            let at = out.len();
            out.push_str(&text[keep_start..keep_end]);
            // Blank every secret byte inside the kept range (the lengths stay the same).
            for r in redactions {
                let r = r.clamp_to(text);
                let (a, b) = (r.start.max(keep_start), r.end.min(keep_end));
                if a < b {
                    let (wa, wb) = (at + a - keep_start, at + b - keep_start);
                    out.replace_range(wa..wb, &"*".repeat(wb - wa));
                }
            }
            if keep_end < next {
                out.push('…');
                out.push_str(&text[span.end..next]);
            }
            lines.push((span.start, keep_start, keep_end, next, at));
        }
        Self { text: out, lines }
    }

    /// An offset of the original text in the window (clamped into the kept part of its line).
    fn map(&self, offset: usize) -> usize {
        let Some(first) = self.lines.first() else {
            return 0;
        };
        if offset < first.0 {
            return first.4;
        }
        for &(_, keep_start, keep_end, next, at) in &self.lines {
            if offset < next || (offset == next && keep_end == next) {
                return at + offset.clamp(keep_start, keep_end) - keep_start;
            }
        }
        self.text.len()
    }

    fn map_span(&self, span: Span) -> SourceSpan {
        let start = self.map(span.start);
        let end = self.map(span.end).max(start);
        (start, end - start).into()
    }
}

/// A [`Window`] as miette source: line numbers and the header's line:column are the file's.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: String,
    /// 0-based line of the file where `text` starts.
    first_line: usize,
    /// Window offset of the primary label, and its real 0-based (line, column).
    primary: usize,
    primary_at: (usize, usize),
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let (line, column) = if span.offset() == self.primary && before == 0 && after == 0 {
            self.primary_at
        } else {
            (self.first_line + inner.line(), inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
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
