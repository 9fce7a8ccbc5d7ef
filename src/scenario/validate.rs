//! Cross-field rules of a scenario: what the schema alone cannot check (the run's months,
//! shares that must sum to at most 1, unique names, sectors named elsewhere in the file).

use std::collections::HashSet;

use super::diag::Collector;
use super::tree::Node;
use super::{Region, ScenarioDef, span_at};

/// Check `def` (read from `root`) against the rules that span several knobs, in the order
/// their diagnostics are listed when they share a position.
pub(super) fn validate(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    check_months(def, root, c);
    check_scale(def, root, c);
    if def.region.is_empty() {
        c.error_hint(
            root.span,
            "region",
            "no regions: expected at least one `[[region]]` table",
            "add `[[region]]` with a `name`",
        );
    }
    check_elsewhere_shares(def, root, c);
    check_sector_names(def, root, c);
    let sectors = Sectors::new(def, root);
    let mut names = HashSet::new();
    for (i, r) in def.region.iter().enumerate() {
        check_region_name(i, r, &mut names, root, c);
        check_region_sectors(i, r, &sectors, c);
        check_grants(i, r, root, c);
        check_housing(i, r, root, c);
    }
    check_targets(def, root, c);
}

/// `end` must not come before `start`. Skipped when `start` or `end` was itself invalid (its
/// default stands in, so the comparison would be spurious); points at `end` if the file sets
/// it, else at `start`.
fn check_months(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    let month_bad = c.diags.iter().any(|d| d.key == "start" || d.key == "end");
    if def.end < def.start && !month_bad {
        let at = if root.get("end").is_some() {
            "end"
        } else {
            "start"
        };
        c.error(
            span_at(root, &[at]),
            at,
            format!(
                "the run ends ({}) before it starts ({}): expected `end` at or after `start`",
                def.end, def.start
            ),
        );
    }
}

/// An aggregated person agent stands for a whole number of people (a single for one).
fn check_scale(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    if def.scale.fract() != 0.0 && !c.diags.iter().any(|d| d.key == "scale") {
        c.error(
            span_at(root, &["scale"]),
            "scale",
            format!(
                "`scale` is {}: expected a whole number of people per agent",
                def.scale
            ),
        );
    }
}

/// Master's and PhD shares of the graduate pool sum to at most 1.
fn check_elsewhere_shares(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    let e = &def.elsewhere;
    if e.master_share + e.phd_share > 1.0 {
        c.error(
            span_at(root, &["elsewhere", "phd_share"]),
            "elsewhere.phd_share",
            format!(
                "`master_share` + `phd_share` = {} exceeds 1: expected shares of graduates that sum to at most 1",
                e.master_share + e.phd_share
            ),
        );
    }
}

/// Sector names are unique and non-empty, and there is at least one sector.
fn check_sector_names(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    let mut sectors = HashSet::new();
    for (i, s) in def.sector.iter().enumerate() {
        if s.name.is_empty() || !sectors.insert(s.name.as_str()) {
            let what = if s.name.is_empty() {
                "an empty sector name".to_string()
            } else {
                format!("duplicate sector name `{}`", s.name)
            };
            c.error(
                span_at(root, &["sector", &i.to_string(), "name"]),
                &format!("sector[{i}].name"),
                format!("{what}: expected a unique, non-empty name"),
            );
        }
    }
    if def.sector.is_empty() {
        c.error(
            span_at(root, &["sector"]),
            "sector",
            "no sectors: expected at least one `[[sector]]`",
        );
    }
}

/// The scenario's sector names, for checking the names that refer to them.
struct Sectors<'a> {
    names: Vec<&'a str>,
    root: &'a Node,
}

impl<'a> Sectors<'a> {
    fn new(def: &'a ScenarioDef, root: &'a Node) -> Self {
        Sectors {
            names: def.sector.iter().map(|s| s.name.as_str()).collect(),
            root,
        }
    }

    /// Report `name` (the value at `path`, whose dotted key is `key`) unless it is a sector,
    /// with the nearest sector name as a hint.
    fn check(&self, name: &str, path: &[&str], key: String, c: &mut Collector) {
        if self.names.contains(&name) {
            return;
        }
        c.unknown(span_at(self.root, path), &key, "sector", name, &self.names);
    }
}

/// Region `i` has a non-empty name that no earlier region (in `names`) has.
fn check_region_name<'a>(
    i: usize,
    r: &'a Region,
    names: &mut HashSet<&'a str>,
    root: &Node,
    c: &mut Collector,
) {
    let span = span_at(root, &["region", &i.to_string(), "name"]);
    let key = format!("region[{i}].name");
    if r.name.trim().is_empty() {
        c.error(
            span,
            &key,
            "missing or empty region name: expected a non-empty string",
        );
    } else if !names.insert(r.name.as_str()) {
        c.error(
            span,
            &key,
            format!(
                "duplicate region name `{}`: expected each region to have a unique name",
                r.name
            ),
        );
    }
}

/// Region `i`'s focus sectors and anchors' sectors are sectors of the scenario.
fn check_region_sectors(i: usize, r: &Region, sectors: &Sectors, c: &mut Collector) {
    let is = i.to_string();
    for (j, f) in r.focus_sectors.iter().enumerate() {
        sectors.check(
            f,
            &["region", &is, "focus_sectors", &j.to_string()],
            format!("region[{i}].focus_sectors[{j}]"),
            c,
        );
    }
    for (j, a) in r.anchor.iter().enumerate() {
        sectors.check(
            &a.sector,
            &["region", &is, "anchor", &j.to_string(), "sector"],
            format!("region[{i}].anchor[{j}].sector"),
            c,
        );
    }
}

/// Region `i`'s grant programs have unique names without `;`, and award tiers.
fn check_grants(i: usize, r: &Region, root: &Node, c: &mut Collector) {
    let is = i.to_string();
    let mut pnames = HashSet::new();
    for (j, g) in r.grant.iter().enumerate() {
        let js = j.to_string();
        let span = |k: &str| span_at(root, &["region", &is, "grant", &js, k]);
        let key = |k: &str| format!("region[{i}].grant[{j}].{k}");
        if !pnames.insert(g.name.as_str()) {
            c.error(
                span("name"),
                &key("name"),
                format!("duplicate program name `{}` in region `{}`", g.name, r.name),
            );
        }
        if g.name.contains(';') {
            c.error(
                span("name"),
                &key("name"),
                "a program name may not contain `;` (it separates names in `firms.csv`)",
            );
        }
        if g.tiers.is_empty() {
            c.error(
                span("tiers"),
                &key("tiers"),
                "no award tiers: expected at least one `{ name, min_score, award_cny }`",
            );
        }
    }
}

/// Region `i`'s housing limit, when set, is at least its starting stock.
fn check_housing(i: usize, r: &Region, root: &Node, c: &mut Collector) {
    let h = &r.housing;
    if h.max_units > 0.0 && h.max_units < h.units {
        c.error(
            span_at(root, &["region", &i.to_string(), "housing", "max_units"]),
            &format!("region[{i}].housing.max_units"),
            format!(
                "`max_units` ({}) is below the starting `units` ({}): expected at least the starting stock, or 0 for no limit",
                h.max_units, h.units
            ),
        );
    }
}

/// Targets have unique, non-empty names and a threshold.
fn check_targets(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    let mut tnames = HashSet::new();
    for (i, t) in def.target.iter().enumerate() {
        let is = i.to_string();
        if t.name.trim().is_empty() || !tnames.insert(t.name.as_str()) {
            let what = if t.name.trim().is_empty() {
                "missing or empty target name".to_string()
            } else {
                format!("duplicate target name `{}`", t.name)
            };
            c.error(
                span_at(root, &["target", &is, "name"]),
                &format!("target[{i}].name"),
                format!("{what}: expected a unique, non-empty target name"),
            );
        }
        if !t.at_least.is_finite() {
            c.error(
                span_at(root, &["target", &is, "at_least"]),
                &format!("target[{i}].at_least"),
                "missing threshold: expected `at_least = <number>`",
            );
        }
    }
}
