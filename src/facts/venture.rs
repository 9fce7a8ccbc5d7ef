//! The venture funnel of seed-funded startups, and the survival of program-backed startups.

use super::input::{Outcome, Run};
use crate::scenario::Month;

/// Months a seed cohort must have had before the run's end to count in the funnel (CB Insights
/// followed 2008–10 seed cohorts to 2017).
pub const FUNNEL_MONTHS: u32 = 72;

/// The funnel cohort: startups whose first seed round closed at least [`FUNNEL_MONTHS`]
/// months before the run's end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Funnel {
    /// Firms in the cohort.
    pub cohort: usize,
    /// Firms of the cohort by rounds raised: `at_least[k]` raised `k` or more (k = 0..=4).
    pub at_least: [usize; 5],
    /// Months from first seed to series A, for the cohort's firms that raised a series A.
    pub seed_to_a: Vec<f64>,
}

impl Funnel {
    /// Share of the cohort that raised at least `k` rounds (`k ≤ 4`).
    pub fn share(&self, k: usize) -> Option<f64> {
        (self.cohort > 0).then(|| self.at_least[k] as f64 / self.cohort as f64)
    }

    /// Median months from first seed to series A.
    pub fn median_seed_to_a(&self) -> Option<f64> {
        median(&self.seed_to_a)
    }
}

/// The funnel of a run's seed cohort.
pub fn funnel(run: &Run) -> Funnel {
    let end = run.manifest.end.0;
    let mut f = Funnel::default();
    for firm in &run.firms {
        let Some(seed) = firm.first_seed else {
            continue;
        };
        if seed.0 + FUNNEL_MONTHS > end {
            continue;
        }
        f.cohort += 1;
        for k in 0..f.at_least.len() {
            f.at_least[k] += usize::from(firm.rounds as usize >= k);
        }
        if let Some(a) = firm.series_a {
            f.seed_to_a.push(f64::from(a.0) - f64::from(seed.0));
        }
    }
    f
}

/// The median (the mean of the two middle values for an even count).
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The month by which program-backed survival is measured (or the run's end, if earlier).
pub const PROGRAM_CUTOFF: Month = Month(2023 * 12 + 11);

/// Among startups founded in the run (at or after its start, and by the cutoff) and backed by a
/// program whose name contains `needle`, the share not failed by `min(cutoff, end)`.
pub fn program_survival(run: &Run, needle: &str, cutoff: Month) -> Option<f64> {
    let by = cutoff.min(run.manifest.end);
    let backed: Vec<_> = run
        .firms
        .iter()
        .filter(|f| f.founded >= run.manifest.start && f.founded <= by)
        .filter(|f| f.programs.iter().any(|p| p.contains(needle)))
        .collect();
    let failed = backed
        .iter()
        .filter(|f| f.outcome == Outcome::Failed && f.outcome_month.is_some_and(|m| m <= by))
        .count();
    (!backed.is_empty()).then(|| 1.0 - failed as f64 / backed.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[7.0, 1.0, 3.0, 10.0]), Some(5.0));
    }
}
