//! Kaplan–Meier survival of startups by age in months, with delayed entry (left truncation),
//! and the annual hazards derived from it.
//!
//! Discrete months: a firm is *at risk* in age-month `a` (its `a`-th month after founding,
//! from 0) when it has entered observation by then and is observed through that month. A firm
//! that fails at age `d` is at risk through `d` and dies there; a censored firm leaving at age
//! `c` is at risk through `c − 1`. `S(a) = Π_{j<a} (1 − d_j / n_j)` is then the share still
//! alive `a` months after founding; `S(0) = 1`.

use super::input::{Outcome, Run};

/// One firm's observation in ages (months since founding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    /// First age-month observed (0 unless founded before the run's start).
    pub entry: u32,
    /// Age of failure, or of censoring (the first age-month no longer observed).
    pub exit: u32,
    /// Whether the spell ends in failure.
    pub died: bool,
}

impl Spell {
    /// The last age-month at risk, or `None` if the firm is never at risk.
    fn last_at_risk(self) -> Option<u32> {
        let last = if self.died {
            self.exit
        } else {
            self.exit.checked_sub(1)?
        };
        (last >= self.entry).then_some(last)
    }
}

/// The spells of a run's startups: failures die at their outcome month; acquired and relocated
/// firms are censored at theirs; listed and active firms at the run's end (its last month
/// observed, so censored at `end − founded + 1`). Firms founded before the start enter at
/// `start − founded`.
pub fn spells(run: &Run) -> Vec<Spell> {
    let (start, end) = (run.manifest.start.0, run.manifest.end.0);
    run.firms
        .iter()
        .map(|f| {
            let founded = f.founded.0;
            let age = |m: u32| m.saturating_sub(founded);
            let at_outcome = f.outcome_month.map_or(end + 1, |m| m.0);
            let (exit, died) = match f.outcome {
                Outcome::Failed => (age(at_outcome), true),
                Outcome::Acquired | Outcome::Relocated => (age(at_outcome), false),
                Outcome::Active | Outcome::Listed => (age(end + 1), false),
            };
            Spell {
                entry: age(start),
                exit,
                died,
            }
        })
        .collect()
}

/// `S(a)` for `a` in `0..=max_age`; `None` from the first age with nobody at risk before it.
pub fn kaplan_meier(spells: &[Spell], max_age: u32) -> Vec<Option<f64>> {
    let len = max_age as usize + 1;
    let (mut change, mut deaths) = (vec![0i64; len + 1], vec![0u64; len]);
    for s in spells {
        let Some(last) = s.last_at_risk() else {
            continue;
        };
        if s.entry as usize >= len {
            continue;
        }
        change[s.entry as usize] += 1;
        change[(last as usize + 1).min(len)] -= 1;
        if s.died && (s.exit as usize) < len {
            deaths[s.exit as usize] += 1;
        }
    }
    let mut out = Vec::with_capacity(len);
    let (mut at_risk, mut surv) = (0i64, Some(1.0));
    for a in 0..len {
        out.push(surv);
        at_risk += change[a];
        surv = surv
            .filter(|_| at_risk > 0)
            .map(|s| s * (1.0 - deaths[a] as f64 / at_risk as f64));
    }
    out
}

/// Survival at `years` full years of age, `S(12·years)`.
pub fn at_years(s: &[Option<f64>], years: u32) -> Option<f64> {
    s.get(12 * years as usize).copied().flatten()
}

/// Average annual hazard over years of age `from..=to` (1-based):
/// `1 − (S(12·to) / S(12·(from − 1)))^(1 / (to − from + 1))`; `from == to` gives the single-year
/// hazard `1 − S(12k)/S(12(k−1))`.
pub fn mean_hazard(s: &[Option<f64>], from: u32, to: u32) -> Option<f64> {
    let before = at_years(s, from.checked_sub(1)?)?;
    let after = at_years(s, to)?;
    (before > 0.0 && to >= from)
        .then(|| 1.0 - (after / before).powf(1.0 / f64::from(to - from + 1)))
}

/// The year of age (1..=`years`) with the highest single-year hazard (the first on a tie);
/// `None` unless every one of them is computable.
pub fn peak_hazard_year(s: &[Option<f64>], years: u32) -> Option<f64> {
    let hazards: Option<Vec<f64>> = (1..=years).map(|k| mean_hazard(s, k, k)).collect();
    let hazards = hazards?;
    let mut best = 0;
    for (i, h) in hazards.iter().enumerate() {
        if *h > hazards[best] {
            best = i;
        }
    }
    (!hazards.is_empty()).then(|| (best + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spell(entry: u32, exit: u32, died: bool) -> Spell {
        Spell { entry, exit, died }
    }

    #[test]
    fn without_censoring_survival_is_the_share_not_yet_dead() {
        let s: Vec<Spell> = [0, 1, 1, 3].iter().map(|&d| spell(0, d, true)).collect();
        let km = kaplan_meier(&s, 4);
        let want = [1.0, 0.75, 0.25, 0.25, 0.0];
        for (a, w) in want.iter().enumerate() {
            assert!((km[a].unwrap() - w).abs() < 1e-12, "S({a}) = {:?}", km[a]);
        }
    }

    #[test]
    fn censoring_and_delayed_entry() {
        // Four firms from age 0: deaths at 1 and 3, one censored at 2 (at risk at 0 and 1),
        // one observed through age 4; a fifth enters at age 2 and dies at 3.
        let s = [
            spell(0, 1, true),
            spell(0, 2, false),
            spell(0, 3, true),
            spell(0, 5, false),
            spell(2, 3, true),
        ];
        let km = kaplan_meier(&s, 5);
        // n = 4, 4, 3 (2 old + 1 entrant), 3, 1; d = 0, 1, 0, 2, 0.
        let s2 = 0.75;
        let s4 = s2 * (1.0 - 2.0 / 3.0);
        assert_eq!(km[0], Some(1.0));
        assert_eq!(km[1], Some(1.0));
        assert_eq!(km[2], Some(s2));
        assert_eq!(km[3], Some(s2));
        assert!((km[4].unwrap() - s4).abs() < 1e-12);
        assert!((km[5].unwrap() - s4).abs() < 1e-12);
    }

    #[test]
    fn nobody_at_risk_makes_the_rest_undefined() {
        let s = [spell(0, 2, false), spell(4, 6, false)];
        let km = kaplan_meier(&s, 6);
        assert_eq!(km[2], Some(1.0));
        assert_eq!(km[3], None, "nobody is at risk at age 2");
        assert_eq!(km[6], None);
    }

    #[test]
    fn grouped_hazards() {
        let mut s = vec![None; 37];
        s[0] = Some(1.0);
        s[12] = Some(0.8);
        s[24] = Some(0.6);
        s[36] = Some(0.3);
        assert!((mean_hazard(&s, 1, 1).unwrap() - 0.2).abs() < 1e-12);
        assert!((mean_hazard(&s, 2, 2).unwrap() - 0.25).abs() < 1e-12);
        let two = 1.0 - (0.3f64 / 0.8).sqrt();
        assert!((mean_hazard(&s, 2, 3).unwrap() - two).abs() < 1e-12);
        assert_eq!(peak_hazard_year(&s, 3), Some(3.0));
        assert_eq!(peak_hazard_year(&s, 4), None);
    }
}
