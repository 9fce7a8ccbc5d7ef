//! Plots of a sweep's analysis (plotters; PNG and SVG, embedded font).
//!
//! Per recorded statistic: main effects (one panel per knob), a tornado chart of the swing of
//! each knob's main effect, a heatmap for two-knob grids, μ*–σ for Morris designs and S1/ST
//! bars for Saltelli designs.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Analysis, AnalysisError, StatAnalysis, file_stem};

const SIZE: (u32, u32) = (1200, 800);
const FONT: &str = "sans-serif";
/// Width of one category on a categorical axis (integer coordinates, so tick marks can be set).
const U: i32 = 100;
static FONTS: Once = Once::new();

/// Register the embedded Noto Sans as `sans-serif` (once; registering it again elsewhere, as
/// the run plots do, only replaces the entry with the same font).
fn register_fonts() {
    FONTS.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, ttf_noto_sans::REGULAR)
            .unwrap_or_else(|_| panic!("the embedded Noto Sans font is invalid"));
    });
}

const BLUE_: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREY: RGBColor = RGBColor(110, 110, 110);

/// A number in at most 4 significant digits (`12,300` → `1.23e4` past a million).
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        return format!("{x:.2e}");
    }
    let s = format!("{x:.4}");
    let digits = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 10.0 {
        2
    } else {
        3
    };
    let s = if s.contains('.') {
        format!("{x:.digits$}")
    } else {
        s
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

type R = Result<(), String>;

fn e<E: std::fmt::Debug>(x: E) -> String {
    format!("{x:?}")
}

enum Chart<'a> {
    MainEffects(&'a Analysis, &'a StatAnalysis),
    Tornado(&'a Analysis, &'a StatAnalysis),
    Heatmap(&'a Analysis, &'a StatAnalysis),
    Morris(&'a Analysis, &'a StatAnalysis),
    Sobol(&'a Analysis, &'a StatAnalysis),
}

fn pad(lo: f64, hi: f64) -> Range<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    let span = (hi - lo).abs();
    let m = if span == 0.0 {
        lo.abs().max(1.0) * 0.05
    } else {
        span * 0.08
    };
    (lo - m)..(hi + m)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> R {
    root.fill(&WHITE).map_err(e)?;
    match c {
        Chart::MainEffects(a, s) => main_effects(root, a, s),
        Chart::Tornado(a, s) => tornado(root, a, s),
        Chart::Heatmap(a, s) => heatmap(root, a, s),
        Chart::Morris(a, s) => morris(root, a, s),
        Chart::Sobol(a, s) => sobol(root, a, s),
    }
}

/// One panel per knob: the mean of the statistic at each level, with its interval; every
/// panel on the same vertical range.
fn main_effects<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: &Analysis,
    s: &StatAnalysis,
) -> R {
    let root = root
        .titled(
            &format!("Main effects on {} ({} design)", s.stat, a.design),
            (FONT, 30),
        )
        .map_err(e)?;
    let k = a.knobs.len();
    let cols = (k as f64).sqrt().ceil().max(1.0) as usize;
    let rows = k.div_ceil(cols);
    let panels = root.split_evenly((rows, cols));
    let yr = main_effect_range(s);
    for (i, (panel, me)) in panels.iter().zip(&s.main_effects).enumerate() {
        if !me.is_empty() {
            main_effect_panel(panel, &a.knobs[i], me, yr.clone())?;
        }
    }
    Ok(())
}

/// The vertical range of the main-effect panels: every level's mean and interval, padded.
fn main_effect_range(s: &StatAnalysis) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for me in &s.main_effects {
        for l in me {
            for v in [l.mean.low, l.mean.high, l.mean.value] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    pad(lo, hi)
}

/// The main-effect curve `me` of the knob `knob` on `panel`, over the vertical range `yr`:
/// numeric levels at their values, other levels one per position.
fn main_effect_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    knob: &str,
    me: &[super::Level],
    yr: Range<f64>,
) -> R {
    let numeric = me.iter().all(|l| l.label.parse::<f64>().is_ok());
    let xs: Vec<f64> = if numeric {
        me.iter().map(|l| l.x).collect()
    } else {
        (0..me.len()).map(|j| j as f64).collect()
    };
    let xlo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let xhi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let xr = pad(xlo, xhi);
    let labels: Vec<String> = me.iter().map(|l| l.label.clone()).collect();
    let mut chart = ChartBuilder::on(panel)
        .caption(knob, (FONT, 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(xr, yr)
        .map_err(e)?;
    let fmt_x = |x: &f64| {
        if numeric {
            short(*x)
        } else if (x - x.round()).abs() < 1e-6 && *x >= -0.01 {
            labels.get(x.round() as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let fmt_y = |y: &f64| short(*y);
    chart
        .configure_mesh()
        .x_labels(if numeric { 6 } else { me.len() + 1 })
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_label_style((FONT, 14))
        .y_label_style((FONT, 14))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    let pts: Vec<(f64, f64)> = xs.iter().zip(me).map(|(&x, l)| (x, l.mean.value)).collect();
    chart
        .draw_series(LineSeries::new(pts.clone(), BLUE_.stroke_width(2)))
        .map_err(e)?;
    chart
        .draw_series(
            xs.iter()
                .zip(me)
                .map(|(&x, l)| PathElement::new(vec![(x, l.mean.low), (x, l.mean.high)], BLUE_)),
        )
        .map_err(e)?;
    chart
        .draw_series(pts.iter().map(|&p| Circle::new(p, 4, BLUE_.filled())))
        .map_err(e)?;
    Ok(())
}

/// Bars from the lowest to the highest main effect of each knob, widest on top.
fn tornado<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Analysis, s: &StatAnalysis) -> R {
    let mut bars: Vec<(String, f64, f64)> = a
        .knobs
        .iter()
        .zip(&s.main_effects)
        .map(|(k, me)| {
            let lo = me
                .iter()
                .map(|l| l.mean.value)
                .fold(f64::INFINITY, f64::min);
            let hi = me
                .iter()
                .map(|l| l.mean.value)
                .fold(f64::NEG_INFINITY, f64::max);
            (k.clone(), lo, hi)
        })
        .filter(|b| b.1.is_finite())
        .collect();
    bars.sort_by(|x, y| (x.2 - x.1).total_cmp(&(y.2 - y.1)));
    let n = bars.len().max(1);
    let lo = bars.iter().map(|b| b.1).fold(s.mean, f64::min);
    let hi = bars.iter().map(|b| b.2).fold(s.mean, f64::max);
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let keys: Vec<i32> = (0..n as i32).map(|i| i * U + U / 2).collect();
    let label_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40) as u32
        * 9
        + 20;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{}: swing of the main effect of each knob", s.stat),
            (FONT, 28),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(label_w)
        .build_cartesian_2d(pad(lo, hi), (0..n as i32 * U).with_key_points(keys))
        .map_err(e)?;
    let fy = |y: &i32| names.get((*y / U) as usize).cloned().unwrap_or_default();
    let fx = |x: &f64| short(*x);
    chart
        .configure_mesh()
        .y_label_formatter(&fy)
        .x_label_formatter(&fx)
        .x_desc(format!(
            "{} (mean over points at a level of the knob)",
            s.stat
        ))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let i = i as i32;
            Rectangle::new(
                [(b.1, i * U + U / 5), (b.2, i * U + 4 * U / 5)],
                BLUE_.mix(0.8).filled(),
            )
        }))
        .map_err(e)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(s.mean, 0), (s.mean, n as i32 * U)],
            GREY.stroke_width(2),
        )))
        .map_err(e)?;
    Ok(())
}

fn viridis(t: f64) -> RGBColor {
    const C: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (C.len() - 1) as f64;
    let i = (x.floor() as usize).min(C.len() - 2);
    let f = x - i as f64;
    let m = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
    RGBColor(
        m(C[i].0, C[i + 1].0),
        m(C[i].1, C[i + 1].1),
        m(C[i].2, C[i + 1].2),
    )
}

/// Cells of a two-knob grid coloured by the statistic's mean (viridis; grey where no run
/// succeeded), values written in the cells of small grids, and a colour bar.
fn heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Analysis, s: &StatAnalysis) -> R {
    let Some(grid) = &s.heatmap else {
        return Ok(());
    };
    let (g0, g1) = (grid.len(), grid.first().map_or(0, Vec::len));
    let l0: Vec<String> = s.main_effects[0].iter().map(|l| l.label.clone()).collect();
    let l1: Vec<String> = s.main_effects[1].iter().map(|l| l.label.clone()).collect();
    // Grid order follows the sweep file's levels; label by the levels' positions in the grid.
    let lab0 = grid_labels(a, 0, g0, &l0);
    let lab1 = grid_labels(a, 1, g1, &l1);
    let vals: Vec<f64> = grid
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return Ok(());
    }
    let (main, bar) = root.split_horizontally(1060);
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!("{} by {} and {}", s.stat, a.knobs[0], a.knobs[1]),
            (FONT, 28),
        )
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(110)
        .build_cartesian_2d(
            (0..g1 as i32 * U).with_key_points((0..g1 as i32).map(|j| j * U + U / 2).collect()),
            (0..g0 as i32 * U).with_key_points((0..g0 as i32).map(|i| i * U + U / 2).collect()),
        )
        .map_err(e)?;
    let fx = |x: &i32| lab1.get((*x / U) as usize).cloned().unwrap_or_default();
    let fy = |y: &i32| lab0.get((*y / U) as usize).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .x_desc(a.knobs[1].as_str())
        .y_desc(a.knobs[0].as_str())
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .draw()
        .map_err(e)?;
    let norm = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    let labelled = g0 * g1 <= MAX_LABELLED_CELLS;
    for (i, row) in grid.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            heatmap_cell(&mut chart, (i as i32, j as i32), v, norm(v), labelled)?;
        }
    }
    colour_bar(&bar, lo, hi)
}

/// Grids of at most this many cells have each cell's value written in it.
const MAX_LABELLED_CELLS: usize = 144;

/// The grid cell at (row, column) `at` of value `v` (`t` its position in the colour scale),
/// its value written in it when `labelled`.
fn heatmap_cell<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    (i, j): (i32, i32),
    v: f64,
    t: f64,
    labelled: bool,
) -> R
where
    X: Ranged<ValueType = i32>,
    Y: Ranged<ValueType = i32>,
{
    let col = if v.is_finite() {
        viridis(t)
    } else {
        RGBColor(220, 220, 220)
    };
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(j * U, i * U), ((j + 1) * U, (i + 1) * U)],
            col.filled(),
        )))
        .map_err(e)?;
    if labelled && v.is_finite() {
        let tc = if t > 0.6 { BLACK } else { WHITE };
        chart
            .draw_series(std::iter::once(Text::new(
                short(v),
                (j * U + U / 2, i * U + U / 2),
                (FONT, 15)
                    .into_font()
                    .color(&tc)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// The heatmap's colour bar from `lo` to `hi`, in 100 steps.
fn colour_bar<DB: DrawingBackend>(bar: &DrawingArea<DB, Shift>, lo: f64, hi: f64) -> R {
    let mut cb = ChartBuilder::on(bar)
        .margin_top(80)
        .margin_bottom(80)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi.max(lo + 1e-12))
        .map_err(e)?;
    let fy2 = |y: &f64| short(*y);
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&fy2)
        .label_style((FONT, 14))
        .draw()
        .map_err(e)?;
    let steps = 100;
    cb.draw_series((0..steps).map(|t| {
        let a0 = lo + (hi - lo) * t as f64 / steps as f64;
        let a1 = lo + (hi - lo) * (t + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a0), (1.0, a1)],
            viridis(t as f64 / steps as f64).filled(),
        )
    }))
    .map_err(e)?;
    Ok(())
}

/// Labels of a grid knob's levels in grid order: its main-effect levels are sorted by value,
/// which for numbers is the order of the sweep file only if the file lists them ascending, so
/// take the labels from the analysis in grid order when they are available.
fn grid_labels(a: &Analysis, knob: usize, n: usize, sorted: &[String]) -> Vec<String> {
    match a.grid_labels.get(knob) {
        Some(l) if l.len() == n => l.clone(),
        _ => sorted.to_vec(),
    }
}

fn morris<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Analysis, s: &StatAnalysis) -> R {
    let Some(m) = &s.morris else { return Ok(()) };
    let xmax = m
        .iter()
        .map(|x| x.mu_star.high.max(x.mu_star.value))
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let ymax = m
        .iter()
        .map(|x| x.sigma)
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("Morris screening of {}: μ* and σ", s.stat),
            (FONT, 28),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..(xmax * 1.15).max(1e-12), 0.0..(ymax * 1.15).max(1e-12))
        .map_err(e)?;
    let f = |x: &f64| short(*x);
    chart
        .configure_mesh()
        .x_label_formatter(&f)
        .y_label_formatter(&f)
        .x_desc(
            "μ* (mean |elementary effect|, per unit of the knob's range; 95% bootstrap interval)",
        )
        .y_desc("σ (sd of elementary effects)")
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    for (i, x) in m.iter().enumerate() {
        if !x.mu_star.value.is_finite() {
            continue;
        }
        let p = (x.mu_star.value, x.sigma);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x.mu_star.low, x.sigma), (x.mu_star.high, x.sigma)],
                BLUE_,
            )))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Circle::new(p, 6, BLUE_.filled())))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                a.knobs[i].clone(),
                p,
                (FONT, 16).into_font(),
            )))
            .map_err(e)?;
    }
    Ok(())
}

fn sobol<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &Analysis, s: &StatAnalysis) -> R {
    let Some((so, n)) = &s.sobol else {
        return Ok(());
    };
    let k = so.len();
    let top = so
        .iter()
        .flat_map(|x| [x.s1.high, x.st.high, x.s1.value, x.st.value])
        .filter(|x| x.is_finite())
        .fold(1.0, f64::max);
    let bottom = so
        .iter()
        .flat_map(|x| [x.s1.low, x.st.low])
        .filter(|x| x.is_finite())
        .fold(0.0, f64::min);
    let names = a.knobs.clone();
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "Sobol indices of {} (N = {n}; 95% bootstrap intervals)",
                s.stat
            ),
            (FONT, 28),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (0..k as i32 * U).with_key_points((0..k as i32).map(|i| i * U + U / 2).collect()),
            bottom..top * 1.05,
        )
        .map_err(e)?;
    let fx = |x: &i32| names.get((*x / U) as usize).cloned().unwrap_or_default();
    let fy = |y: &f64| short(*y);
    chart
        .configure_mesh()
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .y_desc("index")
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    for (i, x) in so.iter().enumerate() {
        for (off, est, col, label) in [
            (15, x.s1, BLUE_, "S1 (first order)"),
            (50, x.st, ORANGE, "ST (total)"),
        ] {
            let x0 = i as i32 * U + off;
            let s = chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x0 + 33, est.value.max(bottom))],
                    col.filled(),
                )))
                .map_err(e)?;
            if i == 0 {
                s.label(label).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled())
                });
            }
            let xm = x0 + 16;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(xm, est.low), (xm, est.high)],
                    BLACK.stroke_width(2),
                )))
                .map_err(e)?;
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font((FONT, 16))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(e)?;
    Ok(())
}

/// Draw one chart into `<name>.png` and `<name>.svg` (each written to a temporary name and
/// renamed into place).
fn render(dir: &Path, name: &str, c: &Chart) -> Result<Vec<PathBuf>, AnalysisError> {
    std::fs::create_dir_all(dir)?;
    let png = dir.join(format!("{name}.png"));
    let tmp = dir.join(format!(".{name}.tmp.png"));
    let png_file = format!("{name}.png");
    {
        let root = BitMapBackend::new(&tmp, SIZE).into_drawing_area();
        draw(&root, c).map_err(|message| AnalysisError::Draw {
            file: png_file.clone(),
            message,
        })?;
        root.present().map_err(|m| AnalysisError::WritePng {
            file: png_file,
            message: format!("{m:?}"),
        })?;
    }
    std::fs::rename(&tmp, &png)?;
    let svg_path = dir.join(format!("{name}.svg"));
    let svg_file = format!("{name}.svg");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, c).map_err(|message| AnalysisError::Draw {
            file: svg_file.clone(),
            message,
        })?;
        root.present().map_err(|m| AnalysisError::Draw {
            file: svg_file,
            message: format!("{m:?}"),
        })?;
    }
    crate::output::write_atomic(&svg_path, |w| w.write_all(svg.as_bytes()))?;
    Ok(vec![png, svg_path])
}

/// Draw every plot of an analysis into `dir`; returns the files written.
pub(super) fn draw_all(a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    register_fonts();
    let mut out = Vec::new();
    for s in &a.stats {
        let stem = file_stem(&s.stat);
        out.extend(render(
            dir,
            &format!("main_effects_{stem}"),
            &Chart::MainEffects(a, s),
        )?);
        out.extend(render(
            dir,
            &format!("tornado_{stem}"),
            &Chart::Tornado(a, s),
        )?);
        if s.heatmap.is_some() {
            out.extend(render(
                dir,
                &format!("heatmap_{stem}"),
                &Chart::Heatmap(a, s),
            )?);
        }
        if s.morris.is_some() {
            out.extend(render(
                dir,
                &format!("morris_{stem}"),
                &Chart::Morris(a, s),
            )?);
        }
        if s.sobol.is_some() {
            out.extend(render(dir, &format!("sobol_{stem}"), &Chart::Sobol(a, s))?);
        }
    }
    Ok(out)
}
