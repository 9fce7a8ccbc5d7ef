//! Plots of a run or a comparison (plotters; PNG and SVG, 1200×800).
//!
//! Fonts are embedded: Noto Sans (Apache-2.0, from the `ttf-noto-sans` crate) is registered
//! once as `sans-serif`, so nothing is looked up on the machine. Noto Sans has no Chinese
//! glyphs: Chinese characters in scenario and region names are transliterated to pinyin for
//! plotting ([`plot_text`]; `滨江` is drawn as `Binjiang`). Tables and the HTML report keep
//! the original names.
//!
//! [`redraw`] draws every plot of a run's or a comparison's output directory from the saved
//! files (and, for a comparison, writes `report.html`), without rerunning anything.

pub mod fmt;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::compare::reduce::{self, COSTS, FUNNEL, REGION_SERIES, SERIES, Unit};
use crate::compare::{Comparison, RunTable};
use crate::output::write_atomic;

pub use fmt::{plot_text, short};

/// Plot size in pixels.
pub const SIZE: (u32, u32) = (1200, 800);

const FONT: &str = "sans-serif";
const TITLE: u32 = 34;
const SUBTITLE: u32 = 20;
const LABEL: u32 = 20;
const AXIS: u32 = 22;

static FONTS: Once = Once::new();

/// Register the embedded font (once per process; the registry is global).
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are a valid font shipped by the crate; a failure here is a build defect.
        plotters::style::register_font(FONT, FontStyle::Normal, ttf_noto_sans::REGULAR)
            .unwrap_or_else(|_| panic!("the embedded Noto Sans font is invalid"));
    });
}

/// Tableau 10: distinguishable, colour-blind-friendlier than the primaries.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Mean and 95% interval of a whole-run metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One scenario's line of a time plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub scenario: usize,
    /// Time in years (2010.0 is January 2010).
    pub xs: Vec<f64>,
    pub mean: Vec<f64>,
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
}

/// What the plots show, from a comparison or a single run.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotData {
    pub scenarios: Vec<String>,
    /// A line under every title: what the lines and bands are.
    pub subtitle: String,
    /// (metric key, lines): `SERIES` keys and `key:Region` per-region keys.
    pub series: Vec<(String, Vec<Line>)>,
    /// (metric key, per scenario): `SCALARS` keys.
    pub scalars: Vec<(String, Vec<Option<Band>>)>,
}

fn years(m: crate::scenario::Month) -> f64 {
    m.year() as f64 + (m.month() - 1) as f64 / 12.0
}

impl PlotData {
    pub fn from_comparison(c: &Comparison) -> PlotData {
        let scenarios: Vec<String> = c
            .manifest
            .scenarios
            .iter()
            .map(|s| s.label.clone())
            .collect();
        let mut series: Vec<(String, Vec<Line>)> = Vec::new();
        for s in &c.series {
            let Some(i) = scenarios.iter().position(|x| *x == s.scenario) else {
                continue;
            };
            let line = Line {
                scenario: i,
                xs: s.months.iter().map(|m| years(*m)).collect(),
                mean: s.mean.clone(),
                lo: s.ci_low.clone(),
                hi: s.ci_high.clone(),
            };
            match series.iter_mut().find(|(k, _)| *k == s.metric) {
                Some((_, v)) => v.push(line),
                None => series.push((s.metric.clone(), vec![line])),
            }
        }
        let scalars = c
            .metrics
            .iter()
            .map(|m| {
                let per = scenarios
                    .iter()
                    .map(|label| {
                        m.scenarios
                            .iter()
                            .find(|x| x.scenario == *label)
                            .filter(|x| x.value.n > 0)
                            .map(|x| Band {
                                mean: x.value.mean,
                                lo: x.value.ci_low,
                                hi: x.value.ci_high,
                            })
                    })
                    .collect();
                (m.metric.clone(), per)
            })
            .collect();
        PlotData {
            subtitle: format!(
                "Mean of {} replicates per scenario on common seeds; bands and whiskers: 95% interval of the mean",
                c.manifest.replicates
            ),
            scenarios,
            series,
            scalars,
        }
    }

    /// One run: one line, no bands.
    pub fn from_run(t: &RunTable, name: &str, seed: Option<u64>) -> PlotData {
        let r = reduce::reduce(t);
        let xs: Vec<f64> = r.months.iter().map(|m| years(*m)).collect();
        let line = |v: &Vec<f64>| Line {
            scenario: 0,
            xs: xs.clone(),
            mean: v.clone(),
            lo: v.clone(),
            hi: v.clone(),
        };
        let mut series: Vec<(String, Vec<Line>)> = SERIES
            .iter()
            .zip(&r.series)
            .map(|(d, v)| (d.key.to_string(), vec![line(v)]))
            .collect();
        for (k, v) in &r.region_series {
            series.push((k.clone(), vec![line(v)]));
        }
        let scalars = reduce::SCALARS
            .iter()
            .zip(&r.scalars)
            .map(|(d, &v)| {
                (
                    d.key.to_string(),
                    vec![v.is_finite().then_some(Band {
                        mean: v,
                        lo: v,
                        hi: v,
                    })],
                )
            })
            .collect();
        PlotData {
            scenarios: vec![name.to_string()],
            subtitle: match seed {
                Some(s) => format!("One run, seed {s}"),
                None => "One run".to_string(),
            },
            series,
            scalars,
        }
    }

    fn lines(&self, key: &str) -> &[Line] {
        self.series
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    fn scalar(&self, key: &str) -> Vec<Option<Band>> {
        self.scalars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| vec![None; self.scenarios.len()])
    }

    /// Regions with per-region series (scenarios with several regions), in first-seen order.
    pub fn flow_regions(&self) -> Vec<String> {
        let prefix = format!("{}:", REGION_SERIES[0].key);
        let mut out: Vec<String> = Vec::new();
        for (k, _) in &self.series {
            if let Some(r) = k.strip_prefix(&prefix)
                && !out.iter().any(|x| x == r)
            {
                out.push(r.to_string());
            }
        }
        out
    }
}

/// A plot written to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// File stem (`stage_talent_stock`).
    pub name: String,
    pub title: String,
    pub png: PathBuf,
    pub svg: PathBuf,
}

type R = Result<(), String>;

trait Ctx<T> {
    fn p(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Debug> Ctx<T> for Result<T, E> {
    fn p(self) -> Result<T, String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// Draw with `f` into a PNG and an SVG (written atomically).
fn render(
    dir: &Path,
    name: &str,
    title: &str,
    f: &dyn Fn(&DrawingArea<BitMapBackend, Shift>) -> R,
    g: &dyn Fn(&DrawingArea<SVGBackend, Shift>) -> R,
) -> anyhow::Result<Plot> {
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        f(&root).map_err(|e| anyhow!("drawing {name}.png: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing {name}.png: {e:?}"))?;
    }
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        w,
        h,
        image::ColorType::Rgb8,
    )
    .with_context(|| format!("encoding {name}.png"))?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        g(&root).map_err(|e| anyhow!("drawing {name}.svg: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing {name}.svg: {e:?}"))?;
    }
    let png_path = dir.join(format!("{name}.png"));
    let svg_path = dir.join(format!("{name}.svg"));
    write_atomic(&png_path, |w| w.write_all(&png))?;
    write_atomic(&svg_path, |w| w.write_all(svg.as_bytes()))?;
    Ok(Plot {
        name: name.to_string(),
        title: title.to_string(),
        png: png_path,
        svg: svg_path,
    })
}

/// Draw every plot of `data` into `dir` (PNG and SVG each).
pub fn draw_all(data: &PlotData, dir: &Path) -> anyhow::Result<Vec<Plot>> {
    register_fonts();
    let mut out = Vec::new();
    for d in SERIES {
        let lines = data.lines(d.key);
        if lines.is_empty() {
            continue;
        }
        let title = d.title;
        let unit = unit_axis(d.unit);
        out.push(render(
            dir,
            &format!("stage_{}", d.key),
            title,
            &|a| time_plot(a, data, title, unit, &[(lines, false, "")]),
            &|a| time_plot(a, data, title, unit, &[(lines, false, "")]),
        )?);
    }
    out.push(render(
        dir,
        "funnel",
        "Pipeline funnel",
        &|a| funnel(a, data),
        &|a| funnel(a, data),
    )?);
    out.push(render(
        dir,
        "cost",
        "Policy cost per outcome",
        &|a| costs(a, data),
        &|a| costs(a, data),
    )?);
    if !data.flow_regions().is_empty() {
        out.push(render(
            dir,
            "flows",
            "Talent flows between regions",
            &|a| flows(a, data),
            &|a| flows(a, data),
        )?);
    }
    Ok(out)
}

fn unit_axis(u: Unit) -> &'static str {
    match u {
        Unit::People => "People",
        Unit::Firms => "Firms",
        Unit::Jobs => "Jobs",
        Unit::Cny => "CNY",
        Unit::CnyPerFirm => "CNY per firm",
        Unit::CnyPerJob => "CNY per job",
    }
}

/// Title and subtitle; returns the area below them.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).p()?;
    let a = root.titled(title, (FONT, TITLE)).p()?;
    let a = a
        .titled(
            &plot_text(subtitle),
            (FONT, SUBTITLE).into_font().color(&RGBColor(90, 90, 90)),
        )
        .p()?;
    Ok(a.margin(5, 15, 15, 25))
}

/// Text centred horizontally with its bottom at the anchor (labels above bars).
fn above_centre(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom))
}

/// A time-axis label: the year at whole years, else `YYYY-MM`.
fn year_label(x: &f64) -> String {
    let m = (x * 12.0).round() as i64;
    if m.rem_euclid(12) == 0 {
        format!("{}", m.div_euclid(12))
    } else {
        format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
    }
}

fn finite_range(vals: impl Iterator<Item = f64>, zero: bool) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    (if lo < 0.0 { lo - pad } else { lo })..hi + pad
}

/// Lines over time: each entry is (lines, dashed, legend suffix).
fn time_plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &PlotData,
    title: &str,
    unit: &str,
    groups: &[(&[Line], bool, &str)],
) -> R {
    let area = titled(root, title, &data.subtitle)?;
    time_chart(&area, data, None, unit, groups, true)
}

fn time_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    caption: Option<&str>,
    unit: &str,
    groups: &[(&[Line], bool, &str)],
    legend: bool,
) -> R {
    let all = || groups.iter().flat_map(|(ls, _, _)| ls.iter());
    let xr = finite_range(all().flat_map(|l| l.xs.iter().copied()), false);
    let xr = xr.start..(xr.start + (xr.end - xr.start) / 1.05).max(xr.start + 1.0 / 12.0);
    let yr = finite_range(
        all().flat_map(|l| l.mean.iter().chain(&l.lo).chain(&l.hi).copied()),
        true,
    );
    let mut b = ChartBuilder::on(area);
    b.x_label_area_size(60).y_label_area_size(110);
    if let Some(c) = caption {
        b.caption(plot_text(c), (FONT, 24));
    }
    let mut chart = b.build_cartesian_2d(xr, yr).p()?;
    chart
        .configure_mesh()
        .x_desc("Year")
        .y_desc(unit)
        .x_label_formatter(&year_label)
        .y_label_formatter(&|y| short(*y))
        .x_labels(10)
        .y_labels(8)
        .label_style((FONT, LABEL))
        .axis_desc_style((FONT, AXIS))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .p()?;
    for (lines, dashed, suffix) in groups {
        for l in lines.iter() {
            let c = color(l.scenario);
            let band: Vec<(f64, f64)> =
                l.xs.iter()
                    .zip(&l.hi)
                    .chain(l.xs.iter().zip(&l.lo).rev())
                    .filter(|(_, y)| y.is_finite())
                    .map(|(x, y)| (*x, *y))
                    .collect();
            let has_band = l.lo.iter().zip(&l.hi).any(|(a, b)| b > a);
            if has_band && band.len() == 2 * l.xs.len() {
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                    .p()?;
            }
            let pts: Vec<(f64, f64)> =
                l.xs.iter()
                    .zip(&l.mean)
                    .filter(|(_, y)| y.is_finite())
                    .map(|(x, y)| (*x, *y))
                    .collect();
            let name = format!("{}{suffix}", plot_text(&data.scenarios[l.scenario]));
            // The baseline is drawn wider, so a scenario on top of it leaves it visible.
            let style = c.stroke_width(if l.scenario == 0 { 6 } else { 3 });
            if *dashed {
                let s = chart
                    .draw_series(DashedLineSeries::new(pts, 10, 6, style))
                    .p()?;
                s.label(name).legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x - 4, y), (x + 16, y)], 6, 3, style)
                });
            } else {
                let s = chart.draw_series(LineSeries::new(pts, style)).p()?;
                s.label(name)
                    .legend(move |(x, y)| PathElement::new(vec![(x - 4, y), (x + 16, y)], style));
            }
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(150, 150, 150))
            .label_font((FONT, LABEL))
            .margin(12)
            .draw()
            .p()?;
    }
    Ok(())
}

/// Grouped bars on categories; `values[cat][scenario]`.
#[allow(clippy::too_many_arguments)]
fn bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    caption: Option<&str>,
    categories: &[String],
    values: &[Vec<Option<Band>>],
    y_desc: &str,
    log: bool,
    legend: bool,
) -> R {
    let ns = data.scenarios.len().max(1);
    let n = categories.len().max(1);
    let xr = -0.5..(n as f64 - 0.5);
    let ymax = values
        .iter()
        .flatten()
        .flatten()
        .flat_map(|b| [b.mean, b.hi])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let mut b = ChartBuilder::on(area);
    b.x_label_area_size(if log { 50 } else { 70 })
        .y_label_area_size(110);
    if let Some(c) = caption {
        b.caption(plot_text(c), (FONT, 24));
    }
    let cats: Vec<String> = categories.iter().map(|c| plot_text(c)).collect();
    let xfmt = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
            cats[i as usize].clone()
        } else {
            String::new()
        }
    };
    let width = 0.8 / ns as f64;
    let bar_x = |cat: usize, s: usize| cat as f64 - 0.4 + width * s as f64;
    macro_rules! draw_bars {
        ($chart:ident, $floor:expr) => {{
            for (ci, row) in values.iter().enumerate() {
                for (si, v) in row.iter().enumerate() {
                    let c = color(si);
                    let x0 = bar_x(ci, si) + width * 0.08;
                    let x1 = bar_x(ci, si) + width * 0.92;
                    let Some(v) = v.filter(|v| v.mean.is_finite()) else {
                        $chart
                            .draw_series(std::iter::once(Text::new(
                                "n/a",
                                ((x0 + x1) / 2.0 - width * 0.2, $floor),
                                (FONT, 16),
                            )))
                            .p()?;
                        continue;
                    };
                    let top = v.mean.max($floor);
                    let s = $chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x0, $floor), (x1, top)],
                            c.mix(0.85).filled(),
                        )))
                        .p()?;
                    if ci == 0 {
                        s.label(plot_text(&data.scenarios[si]))
                            .legend(move |(x, y)| {
                                Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.mix(0.85).filled())
                            });
                    }
                    if v.lo.is_finite() && v.hi.is_finite() && v.hi > v.lo {
                        let xm = (x0 + x1) / 2.0;
                        let (lo, hi) = (v.lo.max($floor), v.hi.max($floor));
                        let k = RGBColor(30, 30, 30).stroke_width(2);
                        $chart
                            .draw_series([
                                PathElement::new(vec![(xm, lo), (xm, hi)], k),
                                PathElement::new(
                                    vec![(xm - width * 0.2, hi), (xm + width * 0.2, hi)],
                                    k,
                                ),
                                PathElement::new(
                                    vec![(xm - width * 0.2, lo), (xm + width * 0.2, lo)],
                                    k,
                                ),
                            ])
                            .p()?;
                    }
                    if ns <= 4 {
                        let above = if v.hi.is_finite() { top.max(v.hi) } else { top };
                        let y = if log {
                            above * 1.1
                        } else {
                            above + ymax * 0.01
                        };
                        $chart
                            .draw_series(std::iter::once(Text::new(
                                short(v.mean),
                                ((x0 + x1) / 2.0, y.max($floor)),
                                above_centre(17),
                            )))
                            .p()?;
                    }
                }
            }
            if legend {
                $chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(150, 150, 150))
                    .label_font((FONT, LABEL))
                    .margin(12)
                    .draw()
                    .p()?;
            }
        }};
    }
    if log {
        let top = (ymax * 8.0).max(10.0);
        let mut chart = b.build_cartesian_2d(xr, (0.5f64..top).log_scale()).p()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&|y| short(*y))
            .y_desc(y_desc)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .p()?;
        draw_bars!(chart, 0.5);
    } else {
        let top = if ymax > 0.0 { ymax * 1.25 } else { 1.0 };
        let mut chart = b.build_cartesian_2d(xr, 0.0..top).p()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&|y| short(*y))
            .y_desc(y_desc)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .p()?;
        draw_bars!(chart, 0.0);
    }
    Ok(())
}

fn funnel<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &PlotData) -> R {
    let area = titled(
        root,
        "Pipeline funnel: talent → founders → funded → later rounds → industrialized → listed / unicorn",
        &data.subtitle,
    )?;
    let cats: Vec<String> = FUNNEL.iter().map(|(l, _)| l.to_string()).collect();
    let values: Vec<Vec<Option<Band>>> = FUNNEL.iter().map(|(_, k)| data.scalar(k)).collect();
    bar_chart(
        &area,
        data,
        None,
        &cats,
        &values,
        "People or firms over the run (log scale)",
        true,
        true,
    )
}

fn costs<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &PlotData) -> R {
    let area = titled(
        root,
        "Policy cost per outcome: policy spend over the run / outcome",
        &data.subtitle,
    )?;
    let panels = area.split_evenly((1, COSTS.len()));
    let cats: Vec<String> = data
        .scenarios
        .iter()
        .map(|s| {
            let s = plot_text(s);
            if s.chars().count() > 16 {
                format!("{}…", s.chars().take(15).collect::<String>())
            } else {
                s
            }
        })
        .collect();
    for (i, (p, key)) in panels.iter().zip(COSTS).enumerate() {
        let d = reduce::scalar(key).expect("a cost metric");
        cost_panel(
            &p.margin(0, 0, 5, 5),
            data,
            d.title,
            &cats,
            &data.scalar(key),
            unit_axis(d.unit),
            i == 0,
        )?;
    }
    Ok(())
}

fn cost_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    caption: &str,
    cats: &[String],
    values: &[Option<Band>],
    unit: &str,
    legend: bool,
) -> R {
    // Each scenario is its own category.
    let n = cats.len().max(1);
    let ymax = values
        .iter()
        .flatten()
        .flat_map(|b| [b.mean, b.hi])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let top = if ymax > 0.0 { ymax * 1.25 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 24))
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)
        .p()?;
    let xfmt = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
            cats[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&|y| short(*y))
        .y_desc(unit)
        .label_style((FONT, 18))
        .axis_desc_style((FONT, AXIS))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .p()?;
    for (si, v) in values.iter().enumerate() {
        let c = color(si);
        let (x0, x1) = (si as f64 - 0.32, si as f64 + 0.32);
        let v = v.filter(|v| v.mean.is_finite());
        let Some(v) = v else {
            chart
                .draw_series(std::iter::once(Text::new(
                    "n/a (no outcome)",
                    (x0, top * 0.05),
                    (FONT, 16),
                )))
                .p()?;
            continue;
        };
        let s = chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, v.mean.max(0.0))],
                c.mix(0.85).filled(),
            )))
            .p()?;
        s.label(plot_text(&data.scenarios[si]))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.mix(0.85).filled())
            });
        if v.lo.is_finite() && v.hi.is_finite() && v.hi > v.lo {
            let k = RGBColor(30, 30, 30).stroke_width(2);
            chart
                .draw_series([
                    PathElement::new(vec![(si as f64, v.lo), (si as f64, v.hi)], k),
                    PathElement::new(vec![(si as f64 - 0.1, v.hi), (si as f64 + 0.1, v.hi)], k),
                    PathElement::new(vec![(si as f64 - 0.1, v.lo), (si as f64 + 0.1, v.lo)], k),
                ])
                .p()?;
        }
        let above = if v.hi.is_finite() {
            v.hi.max(v.mean)
        } else {
            v.mean
        };
        chart
            .draw_series(std::iter::once(Text::new(
                short(v.mean),
                (si as f64, above.max(0.0) + top * 0.01),
                above_centre(18),
            )))
            .p()?;
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(150, 150, 150))
            .label_font((FONT, 18))
            .margin(8)
            .draw()
            .p()?;
    }
    Ok(())
}

fn flows<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, data: &PlotData) -> R {
    let area = titled(
        root,
        "Talent flows between regions (cumulative): moved in (solid), moved out (dashed)",
        &data.subtitle,
    )?;
    let regions = data.flow_regions();
    let cols = regions.len().clamp(1, 3);
    let rows = regions.len().div_ceil(cols);
    let panels = area.split_evenly((rows, cols));
    for (p, r) in panels.iter().zip(&regions) {
        let inflow = data.lines(&format!("{}:{r}", REGION_SERIES[0].key));
        let outflow = data.lines(&format!("{}:{r}", REGION_SERIES[1].key));
        time_chart(
            &p.margin(0, 10, 5, 5),
            data,
            Some(r),
            "People",
            &[(inflow, false, " in"), (outflow, true, " out")],
            true,
        )?;
    }
    Ok(())
}
