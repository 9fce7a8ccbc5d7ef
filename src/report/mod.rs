//! `report.html`: one self-contained file a planner can e-mail.
//!
//! No network access and no scripts: the plots are inline PNGs (base64 data URIs, drawn with
//! the embedded font), the style sheet is inline. It shows the scenarios, the targets (the
//! probability of meeting each), the headline metrics with 95% intervals and paired
//! differences from the baseline, the knobs that differ between the scenarios side by side,
//! the plots, and the manifest. Every string that comes from a scenario file or the command
//! line goes through [`escape`].

use std::collections::HashMap;
use std::path::Path;

use crate::compare::{Comparison, ExtraCost, ExtraCostCell, Stats};
use crate::output::write_atomic;
use crate::plot::{self, Plot, short};

mod error;
mod html;
pub use error::ReportError;
use html::{B, CODE, Html, TD, TD_NUM, TH};

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for data URIs.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Flatten a resolved scenario into `(path, value)` pairs in file order. Arrays of tables
/// with names are addressed by name as in `--set` (`region.Binjiang.housing.units`), others by
/// index; arrays of plain values stay whole.
fn flatten_toml(text: &str) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
        let join = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    walk(&join(k), v, out);
                }
            }
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_table()) => {
                for (i, x) in a.iter().enumerate() {
                    let key = x
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map_or_else(|| i.to_string(), str::to_string);
                    walk(&join(&key), x, out);
                }
            }
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => walk("", &toml::Value::Table(t), &mut out),
        Err(e) => out.push(("(unreadable)".into(), e.to_string())),
    }
    out
}

/// The knobs whose values differ between scenarios: `(path, value per scenario)`, `None`
/// where a scenario lacks the knob (a region or program it does not have).
fn knob_differences(resolved: &[String]) -> Vec<(String, Vec<Option<String>>)> {
    let flat: Vec<Vec<(String, String)>> = resolved.iter().map(|t| flatten_toml(t)).collect();
    let maps: Vec<HashMap<&str, &str>> = flat
        .iter()
        .map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let mut order: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in &flat {
        for (k, _) in f {
            if seen.insert(k.as_str()) {
                order.push(k);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| {
            let vals: Vec<Option<String>> = maps
                .iter()
                .map(|m| m.get(k).map(|v| v.to_string()))
                .collect();
            let differs = vals.windows(2).any(|w| w[0] != w[1]);
            differs.then(|| (k.to_string(), vals))
        })
        .collect()
}

const STYLE: &str = r#"
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1260px; color: #222; line-height: 1.4; padding: 0 16px; }
h1 { font-size: 28px; margin-bottom: 4px; }
h2 { font-size: 22px; margin-top: 36px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.sig, td.diff { background: #fff3b0; font-weight: 600; }
td.met { background: #d9f2d9; }
td.unmet { background: #f9dcdc; }
td.na { color: #888; }
#metric-table td:first-child { min-width: 13em; }
#knob-table td:first-child { min-width: 16em; }
.note { color: #555; font-size: 14px; }
figure { margin: 16px 0 28px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 14px; color: #555; margin-top: 4px; }
code { font-size: 13px; }
nav a { margin-right: 14px; }
"#;

fn interval(s: &Stats, signed: bool) -> String {
    if s.n == 0 || !s.mean.is_finite() {
        return "n/a".into();
    }
    let f = |x: f64| {
        if !x.is_finite() {
            "?".to_string()
        } else if signed && x > 0.0 {
            format!("+{}", short(x))
        } else {
            short(x)
        }
    };
    format!("{} [{}, {}]", f(s.mean), f(s.ci_low), f(s.ci_high))
}

fn pct(p: f64) -> String {
    if p.is_finite() {
        format!("{:.0}%", p * 100.0)
    } else {
        "n/a".into()
    }
}

/// One incremental cost in plain words.
fn extra_cost_sentence(x: &ExtraCost, c: &ExtraCostCell) -> String {
    let d = &c.delta_outcome;
    let spend = c.delta_spend.mean;
    let change = format!(
        "Δ {} = {} [{}, {}], Δ spend = CNY {}",
        x.outcome,
        signed(d.mean),
        signed(d.ci_low),
        signed(d.ci_high),
        signed(spend)
    );
    if !c.identified {
        return format!(
            "not identified: the change in outcomes cannot be told from noise ({change})."
        );
    }
    if d.mean > 0.0 && spend > 0.0 {
        format!(
            "each extra {} cost CNY {} (95%: {}–{}) more than the baseline ({change}).",
            x.per,
            short(c.value),
            short(c.ci_low),
            short(c.ci_high)
        )
    } else if d.mean > 0.0 {
        format!("more of them for less spending: no extra cost ({change}).")
    } else {
        format!("fewer of them than the baseline: no cost of an extra one ({change}).")
    }
}

fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", short(x))
    } else {
        short(x)
    }
}

/// The report's HTML. `plots` are read from disk and inlined. Every string reaches the page
/// through [`Html::text`] (escaped); markup is only the source's own.
fn render(cmp: &Comparison, plots: &[(String, Vec<u8>)]) -> String {
    let labels: Vec<&str> = cmp
        .manifest
        .scenarios
        .iter()
        .map(|s| s.label.as_str())
        .collect();
    let mut h = Html::new();
    header(&mut h, cmp, &labels);
    scenarios(&mut h, cmp);
    targets(&mut h, cmp, &labels);
    metrics(&mut h, cmp, &labels);
    extra_costs(&mut h, cmp, &labels);
    knobs(&mut h, cmp, &labels);
    figures(&mut h, plots);
    manifest(&mut h, cmp);
    h.finish()
}

/// The head, the summary of the design, the replicates' sizing and the navigation.
fn header(h: &mut Html, cmp: &Comparison, labels: &[&str]) {
    let m = &cmp.manifest;
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>talentsim comparison: ")
        .text(labels.join(" vs "))
        .raw("</title>\n<style>")
        .raw(STYLE)
        .raw("</style>\n</head>\n<body>\n<h1>Scenario comparison</h1>\n<p>Baseline ")
        .wrap(B, &m.baseline);
    if labels.len() > 1 {
        h.raw(" compared with ").join(&labels[1..], ", ", |h, l| {
            h.wrap(B, l);
        });
    }
    let seeds = match (m.seeds.first(), m.seeds.last()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "none".into(),
    };
    h.raw(". Each scenario ran ")
        .text(m.replicates)
        .raw(" replicates on the same seeds (")
        .text(seeds)
        .raw(": common random numbers), so differences are paired run by run; under each difference, r is the correlation of the paired runs and VR the variance reduction pairing bought (unpaired / paired variance). Intervals are 95% intervals of the mean: a percentile bootstrap (4,000 resamples) for metrics that are never negative — counts and money, whose intervals therefore never go below zero — and Student t for differences; a difference is <span style=\"background:#fff3b0;font-weight:600\">highlighted</span> where its interval excludes zero. Target probabilities carry 95% Wilson intervals.</p>\n");
    if let Some(a) = &m.auto {
        let metrics: std::collections::BTreeSet<&str> =
            a.checks.iter().map(|c| c.metric.as_str()).collect();
        h.raw(
            "<p id=\"auto\">Replicates were sized with <code>--replicates auto</code>: batches of ",
        )
        .join(&a.batches, ", then ", |h, b| {
            h.text(b);
        })
        .raw(" replicates, until every paired difference of ")
        .join(metrics, ", ", |h, x| {
            h.text(x);
        })
        .raw(" had a 95% interval narrower than ")
        .text(short(a.precision * 100.0))
        .raw("% of the baseline's mean (at most ")
        .text(a.max_replicates)
        .raw(" replicates). ");
        if a.reached_cap {
            h.raw("It stopped at the cap without that precision for: ")
                .join(a.checks.iter().filter(|c| !c.met), "; ", |h, c| {
                    h.text(&c.metric).raw(" in ").text(&c.scenario);
                })
                .raw(".");
        } else {
            h.raw("Every one met it.");
        }
        h.raw("</p>\n");
    }
    h.raw("<nav><a href=\"#scenarios\">Scenarios</a><a href=\"#targets\">Targets</a><a href=\"#metrics\">Metrics</a><a href=\"#extra-costs\">Extra outcomes' cost</a><a href=\"#knobs\">Knobs that differ</a><a href=\"#plots\">Plots</a><a href=\"#manifest\">Manifest</a></nav>\n");
}

fn scenarios(h: &mut Html, cmp: &Comparison) {
    let m = &cmp.manifest;
    h.raw("<h2 id=\"scenarios\">Scenarios</h2>\n<table id=\"scenario-table\">\n<tr><th>scenario</th><th>description</th><th>file</th><th>period</th><th>scale</th><th>regions</th></tr>\n");
    for s in &m.scenarios {
        h.raw("<tr><td>").text(&s.label);
        if s.label == m.baseline {
            h.raw(" (baseline)");
        }
        h.raw("</td>")
            .wrap(TD, &s.description)
            .raw("<td>")
            .wrap(CODE, &s.file)
            .raw("</td><td>")
            .text(&s.start)
            .raw(" to ")
            .text(&s.end)
            .raw("</td>")
            .wrap(TD_NUM, s.scale)
            .wrap(TD, s.regions.join(", "))
            .raw("</tr>\n");
    }
    h.raw("</table>\n");
}

fn targets(h: &mut Html, cmp: &Comparison, labels: &[&str]) {
    h.raw("<h2 id=\"targets\">Targets</h2>\n");
    if cmp.targets.is_empty() {
        h.raw("<p class=\"note\" id=\"target-table\">No scenario declares a <code>[[target]]</code>.</p>\n");
        return;
    }
    h.raw("<p class=\"note\">The probability that a run meets each target (statistic ≥ threshold), with its 95% Wilson interval and the replicates that met it; below, the statistic's mean and 95% interval.</p>\n<table id=\"target-table\">\n<tr><th>target</th><th>statistic</th><th>at least</th><th>by</th>");
    for l in labels {
        h.wrap(TH, l);
    }
    h.raw("</tr>\n");
    for t in &cmp.targets {
        h.raw("<tr>")
            .wrap(TD, &t.name)
            .wrap(TD, &t.statistic)
            .wrap(TD_NUM, short(t.at_least))
            .wrap(TD, if t.by.is_empty() { "end of run" } else { &t.by });
        for c in &t.scenarios {
            if !c.applicable || c.n == 0 {
                h.raw("<td class=\"na\">not applicable</td>");
                continue;
            }
            h.raw(if c.p_low >= 0.5 {
                "<td class=\"num met\">"
            } else if c.p_high < 0.5 {
                "<td class=\"num unmet\">"
            } else {
                "<td class=\"num num\">"
            })
            .raw("P = ")
            .text(pct(c.p))
            .raw(" [")
            .text(pct(c.p_low))
            .raw(", ")
            .text(pct(c.p_high))
            .raw("] (")
            .text(c.met)
            .raw("/")
            .text(c.n)
            .raw(")<br>value ")
            .text(interval(&c.value, false))
            .raw("</td>");
        }
        h.raw("</tr>\n");
    }
    h.raw("</table>\n");
}

fn metrics(h: &mut Html, cmp: &Comparison, labels: &[&str]) {
    let replicates = cmp.manifest.replicates;
    h.raw("<h2 id=\"metrics\">Headline metrics</h2>\n<p class=\"note\">Mean [95% interval] over replicates; for each other scenario, the paired difference from the baseline, Δ = scenario − baseline. k = thousand, M = million, bn = billion. Costs are policy spend over the run divided by the outcome; runs without the outcome are left out (n shows how many count).</p>\n<table id=\"metric-table\">\n<tr><th>metric</th><th>unit</th>");
    for (i, l) in labels.iter().enumerate() {
        if i == 0 {
            h.raw("<th>").text(l).raw(" (baseline)</th>");
        } else {
            h.wrap(TH, l).raw("<th>Δ ").text(l).raw(" − baseline</th>");
        }
    }
    h.raw("</tr>\n");
    for met in &cmp.metrics {
        h.raw("<tr><td title=\"")
            .text(&met.definition)
            .raw("\">")
            .text(&met.title)
            .raw("</td>")
            .wrap(TD, &met.unit);
        for (i, c) in met.scenarios.iter().enumerate() {
            h.raw("<td class=\"num\">").text(interval(&c.value, false));
            if c.value.n > 0 && c.value.n < replicates {
                h.raw(" (n=").text(c.value.n).raw(")");
            }
            h.raw("</td>");
            if i == 0 {
                continue;
            }
            h.raw(if c.diff_excludes_zero {
                "<td class=\"num sig\">"
            } else {
                "<td class=\"num\">"
            })
            .text(c.diff.as_ref().map_or("n/a".into(), |d| interval(d, true)));
            if let Some(p) = c.pairing {
                h.raw("<br><small>r = ")
                    .text(if p.correlation.is_finite() {
                        format!("{:.2}", p.correlation)
                    } else {
                        "n/a".into()
                    })
                    .raw(" · VR ")
                    .text(short(p.variance_reduction))
                    .raw("</small>");
            }
            h.raw("</td>");
        }
        h.raw("</tr>\n");
    }
    h.raw("</table>\n<details><summary>Metric definitions</summary><dl>\n");
    for met in &cmp.metrics {
        h.raw("<dt>")
            .wrap(CODE, &met.metric)
            .raw(" — ")
            .text(&met.title)
            .raw("</dt><dd>")
            .text(&met.definition)
            .raw(" (")
            .text(&met.unit)
            .raw(")</dd>\n");
    }
    h.raw("</dl></details>\n");
}

fn extra_costs(h: &mut Html, cmp: &Comparison, labels: &[&str]) {
    h.raw("<h2 id=\"extra-costs\">What each extra outcome costs</h2>\n<p class=\"note\">Against the baseline: the extra policy spend over the run divided by the extra outcome, Δ spend / Δ outcome (means of the paired differences), with a 95% paired bootstrap interval (whole replicates resampled, 4,000 times). Where the 95% interval of Δ outcome includes zero the cost is not identified: the runs cannot tell the outcome's change from noise.</p>\n");
    if cmp.extra_costs.is_empty() || labels.len() < 2 {
        h.raw("<p id=\"extra-cost-table\">No scenario to compare with the baseline.</p>\n");
        return;
    }
    h.raw("<ul id=\"extra-cost-table\">\n");
    for x in &cmp.extra_costs {
        for c in &x.scenarios {
            h.raw("<li>")
                .wrap(B, &c.scenario)
                .raw(" (")
                .wrap(CODE, &x.metric)
                .raw("): ")
                .text(extra_cost_sentence(x, c))
                .raw("</li>\n");
        }
    }
    h.raw("</ul>\n");
}

fn knobs(h: &mut Html, cmp: &Comparison, labels: &[&str]) {
    let resolved: Vec<String> = cmp
        .manifest
        .scenarios
        .iter()
        .map(|s| s.resolved_toml.clone())
        .collect();
    // Targets have their own table.
    let diffs: Vec<_> = knob_differences(&resolved)
        .into_iter()
        .filter(|(p, _)| p != "target" && !p.starts_with("target."))
        .collect();
    h.raw("<h2 id=\"knobs\">Knobs that differ</h2>\n");
    if diffs.is_empty() {
        h.raw("<p class=\"note\" id=\"knob-table\">The scenarios have identical resolved knobs.</p>\n");
        return;
    }
    h.raw("<p class=\"note\">Every knob of the fully resolved scenarios (after <code>extends</code> and <code>--set</code>, defaults filled in) whose value is not the same in all scenarios (targets are in their own table); values that differ from the baseline are highlighted. Paths are as in <code>--set</code>.</p>\n<table id=\"knob-table\">\n<tr><th>knob</th>");
    for l in labels {
        h.wrap(TH, l);
    }
    h.raw("</tr>\n");
    for (path, vals) in &diffs {
        h.raw("<tr><td>").wrap(CODE, path).raw("</td>");
        for v in vals {
            h.raw(if v != &vals[0] {
                "<td class=\"diff\">"
            } else {
                "<td>"
            })
            .text(v.as_deref().unwrap_or("—"))
            .raw("</td>");
        }
        h.raw("</tr>\n");
    }
    h.raw("</table>\n");
}

fn figures(h: &mut Html, plots: &[(String, Vec<u8>)]) {
    h.raw("<h2 id=\"plots\">Plots</h2>\n<p class=\"note\">Also in <code>plots/</code> as PNG and SVG. Chinese names are drawn in pinyin.</p>\n");
    for (title, png) in plots {
        h.raw("<figure><img width=\"1200\" height=\"800\" alt=\"")
            .text(title)
            .raw("\" src=\"data:image/png;base64,")
            .text(base64(png))
            .raw("\"><figcaption>")
            .text(title)
            .raw("</figcaption></figure>\n");
    }
}

fn manifest(h: &mut Html, cmp: &Comparison) {
    let m = &cmp.manifest;
    h.raw("<h2 id=\"manifest\">Manifest</h2>\n<table id=\"manifest-table\">\n<tr><th>talentsim version</th>")
        .wrap(TD, &m.talentsim_version)
        .raw("</tr>\n<tr><th>replicates</th>")
        .wrap(TD, m.replicates)
        .raw("</tr>\n<tr><th>seeds</th><td>")
        .join(&m.seeds, ", ", |h, s| {
            h.text(s);
        })
        .raw("</td></tr>\n<tr><th>--set</th><td>");
    if m.sets.is_empty() {
        h.raw("none");
    } else {
        h.join(&m.sets, " ", |h, s| {
            h.wrap(CODE, s);
        });
    }
    h.raw("</td></tr>\n");
    for s in &m.scenarios {
        h.raw("<tr>")
            .wrap(TH, &s.label)
            .raw("<td>")
            .wrap(CODE, &s.file)
            .raw(", hash ")
            .wrap(CODE, &s.hash)
            .raw("</td></tr>\n");
    }
    h.raw("</table>\n</body>\n</html>\n");
}

/// Write `report.html` into `dir`, inlining the PNG of each plot.
pub fn write(dir: &Path, cmp: &Comparison, plots: &[Plot]) -> Result<(), ReportError> {
    let mut imgs = Vec::new();
    for p in plots {
        let bytes = std::fs::read(&p.png).map_err(|source| ReportError::ReadPlot {
            path: p.png.clone(),
            source,
        })?;
        imgs.push((p.title.clone(), bytes));
    }
    let html = render(cmp, &imgs);
    write_atomic(&dir.join("report.html"), |w| w.write_all(html.as_bytes()))?;
    Ok(())
}

/// What kind of output directory `redraw` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirKind {
    /// A `talentsim run` output (`timeseries.csv`, `summary.json`).
    Run,
    /// A `talentsim compare` output (`comparison.json`).
    Comparison,
}

/// Redraw the plots of a `run` or `compare` output directory from its saved files, into
/// `DIR/plots/`; for a comparison also rewrite `DIR/report.html`.
pub fn redraw(dir: &Path) -> Result<(DirKind, Vec<Plot>), ReportError> {
    let plots_dir = dir.join("plots");
    let draw = |data: &plot::PlotData| plot::draw_all(data, &plots_dir).map_err(ReportError::Plot);
    if dir.join("comparison.json").is_file() {
        let cmp = Comparison::read(dir)?;
        let plots = draw(&plot::PlotData::from_comparison(&cmp))?;
        write(dir, &cmp, &plots)?;
        Ok((DirKind::Comparison, plots))
    } else if dir.join("timeseries.csv").is_file() && dir.join("summary.json").is_file() {
        let (table, name) = crate::compare::RunTable::from_dir(dir)?;
        let seed = std::fs::read_to_string(dir.join("summary.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["manifest"]["seed"].as_u64());
        let plots = draw(&plot::PlotData::from_run(&table, &name, seed))?;
        Ok((DirKind::Run, plots))
    } else {
        Err(ReportError::NotAnOutputDir {
            dir: dir.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape(r#"a & "b" 'c'"#),
            "a &amp; &quot;b&quot; &#39;c&#39;"
        );
        assert_eq!(escape("滨江"), "滨江");
    }

    #[test]
    fn base64_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn knob_differences_by_name() {
        let a = "name = \"a\"\n[[region]]\nname = \"X\"\nunits = 1\ntags = [1, 2]\n";
        let b = "name = \"b\"\n[[region]]\nname = \"X\"\nunits = 2\ntags = [1, 2]\n[[region]]\nname = \"Y\"\nunits = 3\n";
        let d = knob_differences(&[a.into(), b.into()]);
        let paths: Vec<&str> = d.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            ["name", "region.X.units", "region.Y.name", "region.Y.units"]
        );
        assert_eq!(d[1].1, [Some("1".into()), Some("2".into())]);
        assert_eq!(d[3].1, [None, Some("3".into())]);
    }

    #[test]
    fn scenario_strings_are_escaped_in_the_report() {
        let evil = "<script>alert(1)</script>";
        let info = crate::compare::ScenarioInfo {
            label: evil.into(),
            name: evil.into(),
            description: "<img src=x onerror=alert(2)>".into(),
            file: "a\"b.toml".into(),
            hash: "0".into(),
            start: "2020-01".into(),
            end: "2020-12".into(),
            scale: 1.0,
            regions: vec!["<b>R</b>".into()],
            resolved_toml: format!("name = {:?}\n", evil),
        };
        let mut other = info.clone();
        other.label = "plain".into();
        other.resolved_toml = "name = \"plain\"\n".into();
        let cmp = Comparison {
            manifest: crate::compare::Manifest {
                talentsim_version: "0".into(),
                replicates: 1,
                base_seed: 1,
                seeds: vec![1],
                sets: vec!["name=<i>".into()],
                baseline: evil.into(),
                scenarios: vec![info, other],
                auto: None,
            },
            metrics: Vec::new(),
            extra_costs: Vec::new(),
            targets: Vec::new(),
            series: Vec::new(),
        };
        let html = render(&cmp, &[("<svg onload=alert(3)>".into(), vec![1, 2, 3])]);
        assert!(!html.contains("<script"), "a raw <script> in the report");
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<b>R</b>"));
        assert!(!html.contains("<svg"));
        assert!(!html.contains("<i>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}
