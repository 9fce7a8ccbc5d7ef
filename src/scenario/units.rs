//! The simulation's units, and the one place that converts to them.
//!
//! Knobs are written in the units a planner reads (rates per year, durations in years, support
//! in CNY million); the simulation counts time in months and money in CNY per month. Rates and
//! durations that depend only on knobs are converted once, by [`super::SimParams`]; the few
//! conversions of a value computed during the run (an age in months shown in years, a monthly
//! revenue annualised for a valuation) go through these functions, so that `src/sim` and
//! `src/model` hold no bare `12.0` or `1e6`. Each is exactly the arithmetic it names (`x / 12.0`
//! and not `x * (1.0 / 12.0)`), so results are the same to the bit wherever one is used.

/// Months in a year.
pub const MONTHS_PER_YEAR: f64 = 12.0;

/// CNY in the "CNY million" of support weights and per-million rates.
pub const CNY_PER_MILLION: f64 = 1e6;

/// A flow per year, per month.
#[inline]
pub fn per_month(per_year: f64) -> f64 {
    per_year / MONTHS_PER_YEAR
}

/// A flow per month, per year (a monthly revenue annualised).
#[inline]
pub fn per_year(per_month: f64) -> f64 {
    per_month * MONTHS_PER_YEAR
}

/// A duration in years, in months (not rounded).
#[inline]
pub fn months(years: f64) -> f64 {
    years * MONTHS_PER_YEAR
}

/// A duration in months, in years.
#[inline]
pub fn years(months: f64) -> f64 {
    months / MONTHS_PER_YEAR
}

/// An age in months, in years (single precision, as a person's age is kept).
#[inline]
pub fn years_f32(months: i32) -> f32 {
    months as f32 / MONTHS_PER_YEAR as f32
}

/// The fewest months of age at which [`years_f32`] reaches `years`: for every age in months
/// `m`, `m >= age_months_at_least(y)` exactly when `years_f32(m) >= y` (division is monotonic,
/// so the months at or past an age form one range). Lets a pass over every person compare ages
/// in whole months instead of dividing, with the same outcome to the bit. Ages are searched in
/// ±2^20 months; a threshold beyond that (or not finite) is `i32::MAX` or `i32::MIN`.
pub fn age_months_at_least(years: f32) -> i32 {
    const LIMIT: i32 = 1 << 20;
    if years.is_nan() || years > years_f32(LIMIT) {
        return i32::MAX;
    }
    if years <= years_f32(-LIMIT) {
        return i32::MIN;
    }
    // The last month below the threshold is within a few months of `12·years`.
    let mut m = ((years * MONTHS_PER_YEAR as f32).floor() as i32 - 2).clamp(-LIMIT, LIMIT);
    while m > -LIMIT && years_f32(m) >= years {
        m -= 1;
    }
    while years_f32(m) < years {
        m += 1;
    }
    m
}

/// An amount in CNY, in CNY million.
#[inline]
pub fn millions(cny: f64) -> f64 {
    cny / CNY_PER_MILLION
}

/// The probability of at least one event in a month of a Poisson process running at
/// `per_year` events a year.
#[inline]
pub fn monthly_chance(per_year: f64) -> f64 {
    1.0 - (-per_year / MONTHS_PER_YEAR).exp()
}

/// The monthly AR(1) coefficient of a shock that decays with a time constant of
/// `persistence_years`.
#[inline]
pub fn monthly_persistence(persistence_years: f64) -> f64 {
    (-1.0 / (MONTHS_PER_YEAR * persistence_years)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each conversion is the arithmetic it names, to the bit.
    #[test]
    fn conversions_are_the_plain_arithmetic() {
        for x in [0.0, 1.0, 0.08, 3.0, 5.0e9, 1234.5678, 1e-9] {
            assert_eq!(per_month(x).to_bits(), (x / 12.0).to_bits());
            assert_eq!(per_year(x).to_bits(), (x * 12.0).to_bits());
            assert_eq!(months(x).to_bits(), (x * 12.0).to_bits());
            assert_eq!(years(x).to_bits(), (x / 12.0).to_bits());
            assert_eq!(millions(x).to_bits(), (x / 1e6).to_bits());
            assert_eq!(
                monthly_chance(x).to_bits(),
                (1.0 - (-x / 12.0).exp()).to_bits()
            );
        }
        assert_eq!(years_f32(30), 2.5);
        for y in [0.0f32, 22.5, 35.0, 35.04, 40.3, 60.0, 64.99, -1.2] {
            let at = age_months_at_least(y);
            for m in at - 30..at + 30 {
                assert_eq!(m >= at, years_f32(m) >= y, "{y} at {m}");
            }
        }
        assert_eq!(age_months_at_least(f32::NAN), i32::MAX);
        assert_eq!(age_months_at_least(f32::INFINITY), i32::MAX);
        assert_eq!(monthly_persistence(2.0), (-1.0f64 / 24.0).exp());
    }
}
