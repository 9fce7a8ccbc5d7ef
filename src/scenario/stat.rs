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
        /// The monthly values summed over the window.
        Sum = "sum",
        /// The mean of the monthly values over the window.
        Mean = "mean",
        /// The value in the window's last month.
        Last = "last",
    }
}

string_enum! {
    /// A firm event counted by `kind = "firms"`.
    pub enum Event {
        /// Founded in the window.
        Founded = "founded",
        /// Raised its first seed round in the window.
        Seed = "seed",
        /// Raised its series A in the window.
        SeriesA = "series_a",
        /// Listed in the window.
        Listed = "listed",
        /// Became a quasi-unicorn (a valuation of `economy.quasi_unicorn_usd`, USD 100M by
        /// default) in the window.
        QuasiUnicorn = "quasi_unicorn",
        /// Became a unicorn (a valuation of `economy.unicorn_usd`, USD 1B by default) in the
        /// window.
        Unicorn = "unicorn",
        /// Became a quasi-unicorn or a unicorn (whichever came first) in the window.
        QuasiOrUnicorn = "quasi_or_unicorn",
        /// Failed in the window.
        Failed = "failed",
        /// Was acquired in the window.
        Acquired = "acquired",
        /// Moved out of the simulated regions in the window.
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
