//! The definition of an output statistic ([`Stat`]), as scenario `[[target]]`s, target files
//! and sweep `[[record]]`s write it. It is data only: `crate::stats` checks it against the
//! outputs' columns and evaluates it on a run.

use crate::{section, string_enum};

const INF: f64 = f64::INFINITY;

string_enum! {
    /// What a statistic measures.
    pub enum StatKind {
        /// A `timeseries.csv` column aggregated over a window.
        Column = "column",
        /// `column / other`, each summed over the window.
        Ratio = "ratio",
        /// `column / (column + other)`, each summed over the window.
        Share = "share",
        /// A count of startups in `firms.csv` with an event in the window.
        Firms = "firms",
    }
}

string_enum! {
    /// How a column is aggregated over the window.
    pub enum Agg {
        Sum = "sum",
        Mean = "mean",
        Last = "last",
    }
}

string_enum! {
    /// A firm event counted by `kind = "firms"`.
    pub enum Event {
        Founded = "founded",
        Seed = "seed",
        SeriesA = "series_a",
        Listed = "listed",
        QuasiUnicorn = "quasi_unicorn",
        Unicorn = "unicorn",
        QuasiOrUnicorn = "quasi_or_unicorn",
        Failed = "failed",
        Acquired = "acquired",
        Relocated = "relocated",
        /// Raised more than `amount_cny` in one calendar year for the first time.
        RaisedOver = "raised_over",
    }
}

section! {
    /// An output statistic of one run.
    pub struct Stat {
        /// What is measured.
        kind: StatKind = StatKind::Column => [0, 0] "";
        /// A `timeseries.csv` column (the numerator for ratios and shares).
        column: String = String::new() => [0, 0] "";
        /// The other column of a ratio (denominator) or share (complement).
        other: String = String::new() => [0, 0] "";
        /// Region name (empty: all regions together).
        region: String = String::new() => [0, 0] "";
        /// Aggregation over the window, for `kind = "column"`.
        agg: Agg = Agg::Sum => [0, 0] "";
        /// First month of the window (empty: the scenario start).
        from: String = String::new() => [0, 0] "YYYY-MM";
        /// Last month of the window (empty: the scenario end).
        to: String = String::new() => [0, 0] "YYYY-MM";
        /// For firms: only firms backed by a program whose name contains this.
        program: String = String::new() => [0, 0] "";
        /// For firms: only firms of this sector.
        sector: String = String::new() => [0, 0] "";
        /// For firms: the event counted.
        event: Event = Event::Founded => [0, 0] "";
        /// For `event = "raised_over"`: the amount raised in one year.
        amount_cny: f64 = 1.0e8 => [0.0, INF] "CNY";
    }
}
