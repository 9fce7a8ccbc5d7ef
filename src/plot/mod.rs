//! Plots of a run or a comparison (plotters; PNG and SVG, 1200×800).
//!
//! Fonts are embedded: Noto Sans (Apache-2.0, from the `ttf-noto-sans` crate) is registered
//! once as `sans-serif`, so nothing is looked up on the machine. Noto Sans has no Chinese
//! glyphs: Chinese characters in scenario and region names are transliterated to pinyin for
//! plotting ([`plot_text`]; `滨江` is drawn as `Binjiang`). Tables and the HTML report keep
//! the original names.
//!
//! [`crate::report::redraw`] draws every plot of a run's or a comparison's output directory from the saved
//! files (and, for a comparison, writes `report.html`), without rerunning anything.

pub mod fmt;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::compare::reduce::{self, COSTS, FUNNEL, REGION_SERIES, SERIES, Unit};
use crate::compare::{Comparison, RunTable};
use crate::output::write_atomic;

pub use fmt::{plot_text, short};

/// Plot size in pixels.
const SIZE: (u32, u32) = (1200, 800);

const FONT: &str = "sans-serif";
const TITLE: u32 = 34;
const SUBTITLE: u32 = 20;
const LABEL: u32 = 20;
const AXIS: u32 = 22;

static FONTS: Once = Once::new();

/// Register the embedded font (once per process; the registry is global).
fn register_fonts() {
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
    /// The mean over replicates.
    pub mean: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
}

/// One scenario's line of a time plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The scenario's index in [`PlotData::scenarios`] (its colour).
    pub scenario: usize,
    /// Time in years (2010.0 is January 2010).
    pub xs: Vec<f64>,
    /// Mean at each time.
    pub mean: Vec<f64>,
    /// Lower end of the 95% interval at each time.
    pub lo: Vec<f64>,
    /// Upper end of the 95% interval at each time.
    pub hi: Vec<f64>,
}

/// What the plots show, from a comparison or a single run.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotData {
    /// The scenarios' labels, the baseline first.
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
    /// A comparison: one line per scenario with its band, whole-run metrics with intervals.
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
    fn flow_regions(&self) -> Vec<String> {
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

/// Why a plot could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Drawing into the PNG or SVG backend failed (plotters' error, which depends on the
    /// backend, as text).
    #[error("drawing {file}: {message}")]
    Draw {
        /// The plot's file name (`funnel.png`).
        file: String,
        /// plotters' error.
        message: String,
    },
    /// Encoding the drawn pixels as PNG failed.
    #[error("encoding {name}.png")]
    EncodePng {
        /// The plot's file stem (`funnel`).
        name: String,
        /// The encoder's error.
        #[source]
        source: image::ImageError,
    },
    /// Writing a plot file failed.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// A plot written to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// File stem (`stage_talent_stock`).
    pub name: String,
    /// What the plot shows (its title, the report's caption).
    pub title: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
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
) -> Result<Plot, PlotError> {
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let draw_err = |file: &str| {
        let file = file.to_string();
        move |message| PlotError::Draw { file, message }
    };
    let (png_file, svg_file) = (format!("{name}.png"), format!("{name}.svg"));
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        f(&root).map_err(draw_err(&png_file))?;
        root.present().p().map_err(draw_err(&png_file))?;
    }
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        w,
        h,
        image::ColorType::Rgb8,
    )
    .map_err(|source| PlotError::EncodePng {
        name: name.to_string(),
        source,
    })?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        g(&root).map_err(draw_err(&svg_file))?;
        root.present().p().map_err(draw_err(&svg_file))?;
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
pub fn draw_all(data: &PlotData, dir: &Path) -> Result<Vec<Plot>, PlotError> {
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

/// Lines over time on `area`, each group's lines solid or dashed with its legend suffix;
/// bands where a line has an interval.
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
            let name = format!("{}{suffix}", plot_text(&data.scenarios[l.scenario]));
            time_line(&mut chart, l, *dashed, name)?;
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

/// A chart with `f64` coordinates on both axes.
type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One scenario's line `l` (solid or `dashed`, in the legend as `name`), over its band when
/// it has one.
fn time_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut XyChart<'a, DB>,
    l: &Line,
    dashed: bool,
    name: String,
) -> R {
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
    // The baseline is drawn wider, so a scenario on top of it leaves it visible.
    let style = c.stroke_width(if l.scenario == 0 { 6 } else { 3 });
    if dashed {
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
    Ok(())
}

/// A grouped bar chart: one group of bars (one per scenario) per category.
struct Bars<'a> {
    /// A caption above the chart.
    caption: Option<&'a str>,
    /// The categories, in order along the horizontal axis.
    categories: &'a [String],
    /// `values[cat][scenario]`.
    values: &'a [Vec<Option<Band>>],
    /// What the vertical axis shows.
    y_desc: &'a str,
    /// A logarithmic vertical axis (from 0.5).
    log: bool,
    /// Draw the legend.
    legend: bool,
}

/// The bottom of a logarithmic bar chart's vertical axis.
const LOG_FLOOR: f64 = 0.5;

/// Draw `bars` on `area`: the axes, then the bars.
fn bar_chart<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, data: &PlotData, bars: &Bars) -> R {
    let n = bars.categories.len().max(1);
    let xr = -0.5..(n as f64 - 0.5);
    let ymax = bars
        .values
        .iter()
        .flatten()
        .flatten()
        .flat_map(|b| [b.mean, b.hi])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let mut b = ChartBuilder::on(area);
    b.x_label_area_size(if bars.log { 50 } else { 70 })
        .y_label_area_size(110);
    if let Some(c) = bars.caption {
        b.caption(plot_text(c), (FONT, 24));
    }
    let cats: Vec<String> = bars.categories.iter().map(|c| plot_text(c)).collect();
    let xfmt = |x: &f64| category_label(&cats, *x);
    if bars.log {
        let top = (ymax * 8.0).max(10.0);
        let mut chart = b.build_cartesian_2d(xr, (LOG_FLOOR..top).log_scale()).p()?;
        bar_mesh(&mut chart, n, &xfmt, bars.y_desc, LABEL)?;
        draw_bars(&mut chart, data, bars, ymax, LOG_FLOOR)
    } else {
        let top = if ymax > 0.0 { ymax * 1.25 } else { 1.0 };
        let mut chart = b.build_cartesian_2d(xr, 0.0..top).p()?;
        bar_mesh(&mut chart, n, &xfmt, bars.y_desc, LABEL)?;
        draw_bars(&mut chart, data, bars, ymax, 0.0)
    }
}

/// The label of category `x` on a categorical axis (categories at 0, 1, …): blank between
/// categories.
fn category_label(cats: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
        cats[i as usize].clone()
    } else {
        String::new()
    }
}

/// A chart with a categorical (`f64`) horizontal axis and a linear or logarithmic vertical one.
type BarChart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;

/// The axes of a bar chart of `n` categories labelled by `xfmt`, the vertical axis described
/// by `y_desc`, labels in `label_size` points.
fn bar_mesh<DB: DrawingBackend, Y>(
    chart: &mut BarChart<'_, DB, Y>,
    n: usize,
    xfmt: &dyn Fn(&f64) -> String,
    y_desc: &str,
    label_size: u32,
) -> R
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(xfmt)
        .y_label_formatter(&|y| short(*y))
        .y_desc(y_desc)
        .label_style((FONT, label_size))
        .axis_desc_style((FONT, AXIS))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .p()
}

/// The bars of `bars` from `floor` (the bottom of the vertical axis), `ymax` the highest
/// value shown; then the legend.
fn draw_bars<'a, DB: DrawingBackend + 'a, Y>(
    chart: &mut BarChart<'a, DB, Y>,
    data: &PlotData,
    bars: &Bars,
    ymax: f64,
    floor: f64,
) -> R
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let ns = data.scenarios.len().max(1);
    let width = 0.8 / ns as f64;
    for (ci, row) in bars.values.iter().enumerate() {
        for (si, v) in row.iter().enumerate() {
            let left = ci as f64 - 0.4 + width * si as f64;
            let (x0, x1) = (left + width * 0.08, left + width * 0.92);
            let Some(v) = v.filter(|v| v.mean.is_finite()) else {
                chart
                    .draw_series(std::iter::once(Text::new(
                        "n/a",
                        ((x0 + x1) / 2.0 - width * 0.2, floor),
                        (FONT, 16),
                    )))
                    .p()?;
                continue;
            };
            let top = v.mean.max(floor);
            let legend = (ci == 0).then(|| plot_text(&data.scenarios[si]));
            bar(chart, (x0, x1), floor, top, color(si), legend)?;
            if v.lo.is_finite() && v.hi.is_finite() && v.hi > v.lo {
                let (lo, hi) = (v.lo.max(floor), v.hi.max(floor));
                whisker(chart, (x0 + x1) / 2.0, width * 0.2, lo, hi)?;
            }
            if ns <= 4 {
                let above = if v.hi.is_finite() { top.max(v.hi) } else { top };
                let y = if bars.log {
                    above * 1.1
                } else {
                    above + ymax * 0.01
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        short(v.mean),
                        ((x0 + x1) / 2.0, y.max(floor)),
                        above_centre(17),
                    )))
                    .p()?;
            }
        }
    }
    if bars.legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(150, 150, 150))
            .label_font((FONT, LABEL))
            .margin(12)
            .draw()
            .p()?;
    }
    Ok(())
}

/// A bar over `x0..x1` from `floor` to `top` in colour `c`; with a legend entry when `legend`
/// names it.
fn bar<DB: DrawingBackend, Y>(
    chart: &mut BarChart<'_, DB, Y>,
    (x0, x1): (f64, f64),
    floor: f64,
    top: f64,
    c: RGBColor,
    legend: Option<String>,
) -> R
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let s = chart
        .draw_series(std::iter::once(Rectangle::new(
            [(x0, floor), (x1, top)],
            c.mix(0.85).filled(),
        )))
        .p()?;
    if let Some(name) = legend {
        s.label(name).legend(move |(x, y)| {
            Rectangle::new([(x, y - 8), (x + 24, y + 8)], c.mix(0.85).filled())
        });
    }
    Ok(())
}

/// An interval's whisker at `xm` from `lo` to `hi`, its caps `half` wide on each side.
fn whisker<DB: DrawingBackend, Y>(
    chart: &mut BarChart<'_, DB, Y>,
    xm: f64,
    half: f64,
    lo: f64,
    hi: f64,
) -> R
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let k = RGBColor(30, 30, 30).stroke_width(2);
    chart
        .draw_series([
            PathElement::new(vec![(xm, lo), (xm, hi)], k),
            PathElement::new(vec![(xm - half, hi), (xm + half, hi)], k),
            PathElement::new(vec![(xm - half, lo), (xm + half, lo)], k),
        ])
        .p()?;
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
    let bars = Bars {
        caption: None,
        categories: &cats,
        values: &values,
        y_desc: "People or firms over the run (log scale)",
        log: true,
        legend: true,
    };
    bar_chart(&area, data, &bars)
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

/// One cost metric's panel: a bar per scenario (each its own category) with its interval and
/// value, `n/a` where the scenario had no outcome to divide by.
fn cost_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &PlotData,
    caption: &str,
    cats: &[String],
    values: &[Option<Band>],
    unit: &str,
    legend: bool,
) -> R {
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
    let xfmt = |x: &f64| category_label(cats, *x);
    bar_mesh(&mut chart, n, &xfmt, unit, 18)?;
    for (si, v) in values.iter().enumerate() {
        let x = si as f64;
        let Some(v) = v.filter(|v| v.mean.is_finite()) else {
            chart
                .draw_series(std::iter::once(Text::new(
                    "n/a (no outcome)",
                    (x - 0.32, top * 0.05),
                    (FONT, 16),
                )))
                .p()?;
            continue;
        };
        let name = plot_text(&data.scenarios[si]);
        bar(
            &mut chart,
            (x - 0.32, x + 0.32),
            0.0,
            v.mean.max(0.0),
            color(si),
            Some(name),
        )?;
        if v.lo.is_finite() && v.hi.is_finite() && v.hi > v.lo {
            whisker(&mut chart, x, 0.1, v.lo, v.hi)?;
        }
        let above = if v.hi.is_finite() {
            v.hi.max(v.mean)
        } else {
            v.mean
        };
        chart
            .draw_series(std::iter::once(Text::new(
                short(v.mean),
                (x, above.max(0.0) + top * 0.01),
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
