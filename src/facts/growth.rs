//! Firm size and growth: the Pareto tail of sizes (Hill estimator) and the statistics of
//! annual log growth rates from `firm_years.csv`.

use std::collections::BTreeMap;

use super::input::{Outcome, Run};

/// Discrete-corrected maximum-likelihood Pareto exponent of the sizes at or above `s_min`:
/// `α = n / Σ ln(s_i / (s_min − 0.5))`; `None` with fewer than `min_n` such sizes.
pub fn hill_alpha(sizes: &[f64], s_min: f64, min_n: usize) -> Option<f64> {
    let tail: Vec<f64> = sizes.iter().copied().filter(|&s| s >= s_min).collect();
    let sum: f64 = tail.iter().map(|s| (s / (s_min - 0.5)).ln()).sum();
    (tail.len() >= min_n.max(1) && sum > 0.0).then(|| tail.len() as f64 / sum)
}

/// Headcounts of one firm in two consecutive calendar years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrowthPair {
    /// Headcount in year `y`.
    pub size: f64,
    /// Headcount in year `y + 1`.
    pub next: f64,
    /// `y` minus the founding year.
    pub age: i64,
}

impl GrowthPair {
    /// Annual log growth `ln(h_{y+1} / h_y)`.
    pub fn g(&self) -> f64 {
        (self.next / self.size).ln()
    }
}

/// Consecutive-year pairs of the run's startups, both headcounts ≥ 1. Left out: a pair whose
/// second year is the firm's exit year (a partial year), and one whose second year is the run's
/// last year when the run does not end in December.
pub fn growth_pairs(run: &Run) -> Vec<GrowthPair> {
    let end = run.manifest.end;
    let partial_last = (end.month() != 12).then_some(end.year());
    let mut rows: Vec<_> = run.years.iter().collect();
    rows.sort_by_key(|r| (r.firm, r.year));
    rows.windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            let firm = &run.firms[a.firm];
            let exit_year = (firm.outcome != Outcome::Active)
                .then(|| firm.outcome_month.map(|m| m.year()))
                .flatten();
            let keep = a.firm == b.firm
                && b.year == a.year + 1
                && a.headcount >= 1.0
                && b.headcount >= 1.0
                && exit_year != Some(b.year)
                && partial_last != Some(b.year);
            keep.then(|| GrowthPair {
                size: a.headcount,
                next: b.headcount,
                age: i64::from(a.year) - i64::from(firm.founded.year()),
            })
        })
        .collect()
}

/// Size bins in powers of two from 5: `[5, 8)` is 0, `[8, 16)` 1, `[16, 32)` 2, …
fn size_bin(h: f64) -> u32 {
    if h < 8.0 {
        0
    } else {
        h.log2().floor() as u32 - 2
    }
}

/// Smallest number of pairs in a size bin used for the variance and the kurtosis.
pub const MIN_BIN_PAIRS: usize = 30;

/// Growth rates of pairs with `h_y ≥ 5`, by size bin, for the bins with at least
/// [`MIN_BIN_PAIRS`] pairs and a positive spread: `(mean ln h_y, mean g, sd g, the g)`.
fn size_bins(pairs: &[GrowthPair]) -> Vec<(f64, f64, f64, Vec<f64>)> {
    let mut bins: BTreeMap<u32, Vec<&GrowthPair>> = BTreeMap::new();
    for p in pairs.iter().filter(|p| p.size >= 5.0) {
        bins.entry(size_bin(p.size)).or_default().push(p);
    }
    bins.into_values()
        .filter(|b| b.len() >= MIN_BIN_PAIRS)
        .filter_map(|b| {
            let g: Vec<f64> = b.iter().map(|p| p.g()).collect();
            let ln_h = mean(&b.iter().map(|p| p.size.ln()).collect::<Vec<_>>());
            let (m, sd) = (mean(&g), sample_sd(&g));
            (sd > 0.0).then_some((ln_h, m, sd, g))
        })
        .collect()
}

/// `β` in `sd(g) ∼ h^−β`: minus the least-squares slope of `ln sd(g)` on the bin's mean `ln h`,
/// over at least three bins.
pub fn size_variance_beta(pairs: &[GrowthPair]) -> Option<f64> {
    let bins = size_bins(pairs);
    if bins.len() < 3 {
        return None;
    }
    let x: Vec<f64> = bins.iter().map(|b| b.0).collect();
    let y: Vec<f64> = bins.iter().map(|b| b.2.ln()).collect();
    let (mx, my) = (mean(&x), mean(&y));
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    (sxx > 0.0).then(|| -sxy / sxx)
}

/// Kurtosis `m4 / m2²` (3 for a normal, 6 for a Laplace) of growth rates standardised within
/// their size bin (the bins of [`size_variance_beta`]).
pub fn tent_kurtosis(pairs: &[GrowthPair]) -> Option<f64> {
    let z: Vec<f64> = size_bins(pairs)
        .into_iter()
        .flat_map(|(_, m, sd, g)| g.into_iter().map(move |x| (x - m) / sd))
        .collect();
    if z.is_empty() {
        return None;
    }
    let mz = mean(&z);
    let moment = |k: i32| mean(&z.iter().map(|x| (x - mz).powi(k)).collect::<Vec<_>>());
    let m2 = moment(2);
    (m2 > 0.0).then(|| moment(4) / (m2 * m2))
}

/// Mean growth of firms aged 1–5 at `y` minus that of firms aged 6 or more.
pub fn young_growth_gap(pairs: &[GrowthPair]) -> Option<f64> {
    let of = |keep: &dyn Fn(i64) -> bool| -> Vec<f64> {
        pairs
            .iter()
            .filter(|p| keep(p.age))
            .map(|p| p.g())
            .collect()
    };
    let (young, old) = (of(&|a| (1..=5).contains(&a)), of(&|a| a >= 6));
    (!young.is_empty() && !old.is_empty()).then(|| mean(&young) - mean(&old))
}

/// Share of pairs with `h_y ≤ 4` whose headcount changed the next year.
pub fn micro_change_share(pairs: &[GrowthPair]) -> Option<f64> {
    let micro: Vec<&GrowthPair> = pairs.iter().filter(|p| p.size <= 4.0).collect();
    let changed = micro.iter().filter(|p| p.next != p.size).count();
    (!micro.is_empty()).then(|| changed as f64 / micro.len() as f64)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn sample_sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(size: f64, next: f64, age: i64) -> GrowthPair {
        GrowthPair { size, next, age }
    }

    #[test]
    fn hill_exponent_by_hand() {
        let sizes = [3.0, 9.5, 19.0, 38.0, 9.0];
        // Tail (≥ 10): 19 and 38; ln(19/9.5) + ln(38/9.5) = ln 2 + ln 4 = 3 ln 2.
        let want = 2.0 / (3.0 * 2f64.ln());
        assert!((hill_alpha(&sizes, 10.0, 2).unwrap() - want).abs() < 1e-12);
        assert_eq!(hill_alpha(&sizes, 10.0, 3), None);
    }

    #[test]
    fn hill_recovers_a_zipf_tail() {
        // Whole sizes: the quantiles of a continuous Pareto(α = 1) above 9.5, rounded.
        let n = 20_000;
        let sizes: Vec<f64> = (0..n)
            .map(|i| (9.5 * n as f64 / (i as f64 + 0.5)).round())
            .collect();
        let a = hill_alpha(&sizes, 10.0, 30).unwrap();
        assert!((a - 1.0).abs() < 0.02, "α = {a}");
    }

    #[test]
    fn size_bins_are_powers_of_two() {
        assert_eq!(size_bin(5.0), 0);
        assert_eq!(size_bin(7.9), 0);
        assert_eq!(size_bin(8.0), 1);
        assert_eq!(size_bin(15.0), 1);
        assert_eq!(size_bin(16.0), 2);
        assert_eq!(size_bin(64.0), 4);
    }

    /// 30 pairs at `size` with growth rates ± `sd` (alternating), whose sample sd is
    /// `sd · sqrt(30/29)`.
    fn bin(size: f64, sd: f64) -> Vec<GrowthPair> {
        (0..30)
            .map(|i| {
                let g = if i % 2 == 0 { sd } else { -sd };
                pair(size, size * g.exp(), 3)
            })
            .collect()
    }

    #[test]
    fn variance_scaling_slope() {
        // sd ∝ h^−0.25 over bins at 6, 12, 24: β = 0.25 exactly.
        let mut pairs = Vec::new();
        for h in [6.0, 12.0, 24.0] {
            pairs.extend(bin(h, 0.5 * f64::powf(h, -0.25)));
        }
        let b = size_variance_beta(&pairs).unwrap();
        assert!((b - 0.25).abs() < 1e-9, "β = {b}");
        assert_eq!(size_variance_beta(&pairs[..60]), None, "two bins");
        let mut few: Vec<GrowthPair> = pairs.iter().copied().filter(|p| p.size != 24.0).collect();
        few.extend(bin(24.0, 0.1).into_iter().take(29));
        assert_eq!(
            size_variance_beta(&few),
            None,
            "a bin of 29 pairs is left out"
        );
    }

    #[test]
    fn kurtosis_of_two_point_and_heavy_tailed_rates() {
        // ±sd in every bin: standardised values are all ±c, kurtosis 1.
        let mut pairs = bin(6.0, 0.2);
        pairs.extend(bin(40.0, 0.05));
        assert!((tent_kurtosis(&pairs).unwrap() - 1.0).abs() < 1e-9);
        // One bin: 28 zeros and ±1: m2 = 2/30, m4 = 2/30, kurtosis = 15.
        let mut heavy: Vec<GrowthPair> = (0..28).map(|_| pair(10.0, 10.0, 2)).collect();
        heavy.push(pair(10.0, 10.0 * 1f64.exp(), 2));
        heavy.push(pair(10.0, 10.0 * (-1f64).exp(), 2));
        assert!((tent_kurtosis(&heavy).unwrap() - 15.0).abs() < 1e-9);
        assert_eq!(tent_kurtosis(&heavy[..29]), None);
    }

    #[test]
    fn growth_by_age_and_micro_firms() {
        let pairs = [
            pair(2.0, 4.0, 1),
            pair(4.0, 4.0, 5),
            pair(10.0, 10.0, 6),
            pair(3.0, 1.5, 8),
            pair(1.0, 1.0, 0),
        ];
        let young = (2f64.ln() + 0.0) / 2.0;
        let old = (0.0 + 0.5f64.ln()) / 2.0;
        assert!((young_growth_gap(&pairs).unwrap() - (young - old)).abs() < 1e-12);
        // Micro (≤ 4): 2→4, 4→4, 3→1.5, 1→1: two of four changed.
        assert_eq!(micro_change_share(&pairs), Some(0.5));
        assert_eq!(young_growth_gap(&pairs[..2]), None);
    }
}
