//! Honest statistics over replicates: means with t intervals, percentile ranges, paired
//! differences on common random numbers, and Wilson intervals for probabilities.

use serde::Serialize;

/// Summary of one statistic over replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Replicates summarised (runs).
    pub n: usize,
    /// Mean over the replicates, in the statistic's unit.
    pub mean: f64,
    /// Sample standard deviation over the replicates (`n − 1` denominator).
    pub sd: f64,
    /// Lower end of the 95% confidence interval of the mean (Student t).
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval of the mean (Student t).
    pub ci_high: f64,
    /// 2.5th percentile of the replicates (with `p97_5`, the spread of single runs).
    pub p2_5: f64,
    /// 97.5th percentile of the replicates.
    pub p97_5: f64,
}

/// Two-sided 95% Student t quantile for `df` degrees of freedom.
pub fn t95(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        31..=60 => 2.042 - (df as f64 - 30.0) * (2.042 - 2.000) / 30.0,
        61..=120 => 2.000 - (df as f64 - 60.0) * (2.000 - 1.980) / 60.0,
        _ => 1.960,
    }
}

/// Linear-interpolated quantile of sorted data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Mean, sd, t interval of the mean and percentile range.
pub fn summarize(xs: &[f64]) -> Summary {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    let var = if n > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let sd = var.sqrt();
    let half = if n > 1 {
        t95(n - 1) * sd / (n as f64).sqrt()
    } else {
        f64::INFINITY
    };
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Summary {
        n,
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
        p2_5: quantile(&sorted, 0.025),
        p97_5: quantile(&sorted, 0.975),
    }
}

/// The paired difference `other − base` over replicates run on the same seeds.
pub fn paired(base: &[f64], other: &[f64]) -> Summary {
    let d: Vec<f64> = base.iter().zip(other).map(|(a, b)| b - a).collect();
    summarize(&d)
}

/// Resamples drawn by the bootstrap intervals.
pub const BOOTSTRAP_RESAMPLES: usize = 4000;

/// Indices of one bootstrap resample of `n` replicates (`b`-th resample of stream `key`).
fn resample(n: usize, key: u64, b: usize) -> impl Iterator<Item = usize> {
    let mut rng = crate::rng::KeyedRng::new(key, 0, crate::rng::Phase::Bootstrap, b as u64);
    (0..n).map(move |_| rng.below(n as u64) as usize)
}

/// Percentile-bootstrap 95% interval of the mean of `xs` (resamples from the stream `key`:
/// the same data and key give the same interval). Every resampled mean lies between the
/// smallest and the largest value, so the interval never leaves the data's support: a count's
/// interval never goes below zero. `(NaN, NaN)` for no data.
pub fn bootstrap_mean(xs: &[f64], key: u64) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|b| resample(n, key, b).map(|i| xs[i]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    (quantile(&means, 0.025), quantile(&means, 0.975))
}

/// How much pairing on common random numbers helped one paired metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pairing {
    /// Pearson correlation of the baseline's and the scenario's runs on the same seeds.
    pub correlation: f64,
    /// Variance of an unpaired difference over that of the paired one:
    /// `(var(base) + var(other)) / var(other − base)`. NaN where the paired variance is zero.
    pub variance_reduction: f64,
}

fn variance(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = xs.iter().sum::<f64>() / n as f64;
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64
}

/// [`Pairing`] of two replicate series run on the same seeds.
pub fn pairing(base: &[f64], other: &[f64]) -> Pairing {
    let d: Vec<f64> = base.iter().zip(other).map(|(a, b)| b - a).collect();
    let (vb, vo, vd) = (variance(base), variance(other), variance(&d));
    let cov = (vb + vo - vd) / 2.0;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    Pairing {
        correlation: ratio(cov, (vb * vo).sqrt()),
        variance_reduction: ratio(vb + vo, vd),
    }
}

/// A ratio of paired mean differences with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// The ratio of the mean differences (e.g. CNY of extra spend per extra firm).
    pub value: f64,
    /// Lower end of its paired percentile-bootstrap 95% interval.
    pub ci_low: f64,
    /// Upper end of its paired percentile-bootstrap 95% interval.
    pub ci_high: f64,
}

/// `mean(num_other − num_base) / mean(den_other − den_base)` over replicates on the same
/// seeds (e.g. extra spend per extra outcome), with a paired percentile-bootstrap 95%
/// interval: each resample draws whole replicates, keeping each seed's pair together.
/// Resamples whose denominator is zero are left out of the interval.
pub fn paired_ratio(num: (&[f64], &[f64]), den: (&[f64], &[f64]), key: u64) -> Ratio {
    let dn: Vec<f64> = num.0.iter().zip(num.1).map(|(a, b)| b - a).collect();
    let dd: Vec<f64> = den.0.iter().zip(den.1).map(|(a, b)| b - a).collect();
    let n = dn.len().min(dd.len());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let value = mean(&dn) / mean(&dd);
    if n == 0 {
        return Ratio {
            value: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mut rs: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .filter_map(|b| {
            let (mut sn, mut sd) = (0.0, 0.0);
            for i in resample(n, key, b) {
                sn += dn[i];
                sd += dd[i];
            }
            (sd != 0.0).then_some(sn / sd)
        })
        .collect();
    rs.sort_by(f64::total_cmp);
    Ratio {
        value,
        ci_low: quantile(&rs, 0.025),
        ci_high: quantile(&rs, 0.975),
    }
}

/// Wilson score 95% interval for `k` successes in `n` trials: `(p, low, high)`.
pub fn wilson(k: usize, n: usize) -> (f64, f64, f64) {
    if n == 0 {
        return (f64::NAN, 0.0, 1.0);
    }
    let z = 1.959_964;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (p, (centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_data() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        let half = 2.776 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci_high - 3.0 - half).abs() < 1e-9);
        assert!((s.p2_5 - 1.1).abs() < 1e-12);
    }

    #[test]
    fn paired_differences_cancel_common_noise() {
        let base = [10.0, 20.0, 30.0, 40.0];
        let other = [11.0, 21.0, 31.5, 40.5];
        let d = paired(&base, &other);
        assert!((d.mean - 1.0).abs() < 1e-12);
        assert!(
            d.ci_low > 0.0,
            "the paired interval excludes zero although the levels overlap"
        );
    }

    #[test]
    fn bootstrap_interval_of_a_count_stays_in_its_support() {
        // A skewed count: mostly zero, a few large. The t interval goes below zero.
        let xs = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0, 0.0, 40.0];
        assert!(summarize(&xs).ci_low < 0.0);
        let (lo, hi) = bootstrap_mean(&xs, 7);
        assert!(lo >= 0.0 && hi <= 40.0 && lo < 6.0 && hi > 6.0, "{lo} {hi}");
        assert_eq!(bootstrap_mean(&xs, 7), (lo, hi), "deterministic");
        assert_eq!(bootstrap_mean(&[0.0; 5], 1), (0.0, 0.0));
    }

    #[test]
    fn pairing_of_correlated_runs() {
        let base = [10.0, 20.0, 30.0, 40.0];
        let other = [11.0, 21.0, 31.5, 40.5];
        let p = pairing(&base, &other);
        // var(base) = 500/3, var(other) = 490.5/3, var(diff) = 0.5/3.
        assert!((p.variance_reduction - 990.5 / 0.5).abs() < 1e-6);
        assert!(p.correlation > 0.999 && p.correlation <= 1.0);
        let q = pairing(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]);
        assert!((q.correlation + 1.0).abs() < 1e-12);
        assert!((q.variance_reduction - 0.5).abs() < 1e-12);
    }

    #[test]
    fn paired_ratio_of_known_differences() {
        // Spend rises by 10 in every replicate, outcomes by 1, 2 or 3: 10 / 2 = 5 per extra.
        let (s0, s1) = ([100.0, 100.0, 100.0], [110.0, 110.0, 110.0]);
        let (o0, o1) = ([5.0, 7.0, 9.0], [6.0, 9.0, 12.0]);
        let r = paired_ratio((&s0, &s1), (&o0, &o1), 3);
        assert!((r.value - 5.0).abs() < 1e-12);
        assert!(r.ci_low >= 10.0 / 3.0 - 1e-12 && r.ci_high <= 10.0 + 1e-12);
        assert!(r.ci_low < 5.0 && r.ci_high > 5.0);
    }

    #[test]
    fn wilson_interval() {
        let (p, lo, hi) = wilson(5, 10);
        assert_eq!(p, 0.5);
        assert!((lo - 0.2366).abs() < 1e-3 && (hi - 0.7634).abs() < 1e-3);
        let (_, lo0, _) = wilson(0, 20);
        assert_eq!(lo0, 0.0);
    }
}
