//! Honest statistics over replicates: means with t intervals, percentile ranges, paired
//! differences on common random numbers, and Wilson intervals for probabilities.

use serde::Serialize;

/// Summary of one statistic over replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    /// 95% confidence interval of the mean (Student t).
    pub ci_low: f64,
    pub ci_high: f64,
    /// 2.5th and 97.5th percentiles of the replicates (the spread of single runs).
    pub p2_5: f64,
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
    fn wilson_interval() {
        let (p, lo, hi) = wilson(5, 10);
        assert_eq!(p, 0.5);
        assert!((lo - 0.2366).abs() < 1e-3 && (hi - 0.7634).abs() < 1e-3);
        let (_, lo0, _) = wilson(0, 20);
        assert_eq!(lo0, 0.0);
    }
}
