//! The scenario schema machinery: typed knobs with units, defaults and valid ranges.
//!
//! A section of the scenario is declared once with [`section!`](crate::section!); the macro
//! generates the struct, its `Default`, a reader that checks every key (unknown keys with the
//! nearest valid name, wrong types, out-of-range values — all reported, none fatal), a writer
//! for `talentsim show`, and the knob documentation printed by `talentsim knobs`.

use std::fmt;

use super::diag::Collector;
use super::tree::{Node, Val};

/// Valid range and unit of a numeric knob.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Lowest valid value, in `unit` (−∞: unbounded).
    pub min: f64,
    /// Highest valid value, in `unit` (∞: unbounded).
    pub max: f64,
    /// The knob's unit as `talentsim knobs` shows it (`CNY`, `per year`, `rooms`; empty for
    /// none).
    pub unit: &'static str,
}

/// Documentation of one knob, for `talentsim knobs` and the README.
#[derive(Debug, Clone)]
pub struct KnobDoc {
    /// Dotted path, with `[]` for the elements of an array of tables
    /// (`region[].housing.units`).
    pub path: String,
    /// The type expected ([`Knob::TYPE`]: `number`, `integer`, `string`, …).
    pub ty: &'static str,
    /// The default value, as TOML.
    pub default: String,
    /// Lowest valid value, in `unit` (−∞: unbounded).
    pub min: f64,
    /// Highest valid value, in `unit` (∞: unbounded).
    pub max: f64,
    /// The knob's unit (empty for none).
    pub unit: &'static str,
    /// The knob's meaning: its doc comment, on one line.
    pub doc: String,
}

/// A value a knob can hold.
pub trait Knob: Sized + Clone {
    /// Human name of the expected type, used in "expected …" messages.
    const TYPE: &'static str;
    /// Read the value at `node` (dotted key `key`, valid range `spec`), or `None` after
    /// reporting to `c` why it is not one.
    fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self>;
    /// The value as TOML (what `talentsim show` prints).
    fn write(&self) -> toml::Value;
    /// Nested knobs (for sections); leaves add nothing.
    fn docs(_prefix: &str, _out: &mut Vec<KnobDoc>) {}
    /// Whether this is a section (a table of knobs) rather than a single value.
    fn is_section() -> bool {
        false
    }
}

fn wrong_type(node: &Node, key: &str, expected: &str, c: &mut Collector) {
    c.error(
        node.span,
        key,
        format!("expected {expected}, found {}", node.val.type_name()),
    );
}

fn range_text(spec: &Spec) -> String {
    let unit = if spec.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", spec.unit)
    };
    match (spec.min.is_finite(), spec.max.is_finite()) {
        (true, true) => format!("between {} and {}{unit}", spec.min, spec.max),
        (true, false) => format!("at least {}{unit}", spec.min),
        (false, true) => format!("at most {}{unit}", spec.max),
        _ => "a finite number".into(),
    }
}

fn check_range(x: f64, node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> bool {
    if !x.is_finite() || x < spec.min || x > spec.max {
        c.error(
            node.span,
            key,
            format!("value {x} is out of range: expected {}", range_text(spec)),
        );
        return false;
    }
    true
}

impl Knob for f64 {
    const TYPE: &'static str = "number";
    fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self> {
        let x = match node.val {
            Val::Float(x) => x,
            Val::Int(i) => i as f64,
            _ => {
                wrong_type(node, key, &format!("a number ({})", range_text(spec)), c);
                return None;
            }
        };
        check_range(x, node, key, spec, c).then_some(x)
    }
    fn write(&self) -> toml::Value {
        toml::Value::Float(*self)
    }
}

macro_rules! int_knob {
    ($t:ty) => {
        impl Knob for $t {
            const TYPE: &'static str = "integer";
            fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self> {
                match node.val {
                    Val::Int(i) => {
                        // Compared exactly as integers (an f64 cannot tell 9e18 from
                        // 9000000000000000511).
                        let lo = (spec.min.ceil() as i128).max(<$t>::MIN as i128);
                        let hi = (spec.max.floor() as i128).min(<$t>::MAX as i128);
                        if (i as i128) < lo || (i as i128) > hi {
                            let s = Spec {
                                min: spec.min.max(<$t>::MIN as f64),
                                max: spec.max.min(<$t>::MAX as f64),
                                unit: spec.unit,
                            };
                            c.error(
                                node.span,
                                key,
                                format!("value {i} is out of range: expected {}", range_text(&s)),
                            );
                            return None;
                        }
                        Some(i as $t)
                    }
                    Val::Float(x) if x.fract() == 0.0 && x.is_finite() => {
                        let n = Node {
                            val: Val::Int(x as i64),
                            span: node.span,
                        };
                        Self::read(&n, key, spec, c)
                    }
                    _ => {
                        wrong_type(node, key, &format!("an integer ({})", range_text(spec)), c);
                        None
                    }
                }
            }
            fn write(&self) -> toml::Value {
                toml::Value::Integer(*self as i64)
            }
        }
    };
}
int_knob!(u32);
int_knob!(u64);

impl Knob for bool {
    const TYPE: &'static str = "boolean";
    fn read(node: &Node, key: &str, _: &Spec, c: &mut Collector) -> Option<Self> {
        match node.val {
            Val::Bool(b) => Some(b),
            _ => {
                wrong_type(node, key, "a boolean (`true` or `false`)", c);
                None
            }
        }
    }
    fn write(&self) -> toml::Value {
        toml::Value::Boolean(*self)
    }
}

impl Knob for String {
    const TYPE: &'static str = "string";
    fn read(node: &Node, key: &str, _: &Spec, c: &mut Collector) -> Option<Self> {
        match &node.val {
            Val::Str(s) => Some(s.clone()),
            _ => {
                wrong_type(node, key, "a string", c);
                None
            }
        }
    }
    fn write(&self) -> toml::Value {
        toml::Value::String(self.clone())
    }
}

impl<T: Knob> Knob for Vec<T> {
    const TYPE: &'static str = "array";
    fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self> {
        let Val::Array(items) = &node.val else {
            // Say what the elements should be ("an array of strings", e.g. `["iot", "health"]`).
            let what = if T::is_section() {
                "an array of tables (`[[...]]`)".to_string()
            } else {
                match T::TYPE {
                    t @ ("string" | "number" | "integer" | "boolean" | "month") => {
                        format!("an array of {t}s")
                    }
                    _ => "an array".to_string(),
                }
            };
            wrong_type(node, key, &what, c);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, it) in items.iter().enumerate() {
            match T::read(it, &format!("{key}[{i}]"), spec, c) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
    fn write(&self) -> toml::Value {
        toml::Value::Array(self.iter().map(Knob::write).collect())
    }
    fn docs(prefix: &str, out: &mut Vec<KnobDoc>) {
        T::docs(&format!("{prefix}[]"), out)
    }
    fn is_section() -> bool {
        T::is_section()
    }
}

/// A calendar month, `YYYY-MM` in files and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Month(pub u32);

impl Month {
    /// The month `month` (1 to 12) of `year`.
    pub fn new(year: u32, month: u32) -> Month {
        Month(year * 12 + month - 1)
    }
    /// The calendar year.
    pub fn year(self) -> u32 {
        self.0 / 12
    }
    /// The month of the year, 1 to 12.
    pub fn month(self) -> u32 {
        self.0 % 12 + 1
    }
    /// A month written `YYYY-MM` (years 1900 to 2200), or `None` if `s` is not one.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let (y, m): (u32, u32) = (y.parse().ok()?, m.parse().ok()?);
        ((1900..=2200).contains(&y) && (1..=12).contains(&m)).then(|| Month::new(y, m))
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl Knob for Month {
    const TYPE: &'static str = "month";
    fn read(node: &Node, key: &str, _: &Spec, c: &mut Collector) -> Option<Self> {
        let s = match &node.val {
            Val::Str(s) => s.as_str(),
            Val::Datetime(d) => d.as_str(),
            _ => {
                wrong_type(
                    node,
                    key,
                    "a month as a string `\"YYYY-MM\"` (e.g. `\"2010-01\"`)",
                    c,
                );
                return None;
            }
        };
        let m = Month::parse(s);
        if m.is_none() {
            c.error(node.span, key, format!("`{s}` is not a month: expected `\"YYYY-MM\"` with a year 1900–2200 and a month 01–12"));
        }
        m
    }
    fn write(&self) -> toml::Value {
        toml::Value::String(self.to_string())
    }
}

/// A month that may be left empty (`""`: the knob's documented default applies, e.g. the
/// scenario's start).
impl Knob for Option<Month> {
    const TYPE: &'static str = "month or empty";
    fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self> {
        match &node.val {
            Val::Str(s) if s.is_empty() => Some(None),
            _ => Month::read(node, key, spec, c).map(Some),
        }
    }
    fn write(&self) -> toml::Value {
        toml::Value::String(self.map(|m| m.to_string()).unwrap_or_default())
    }
}

/// Declare a string-valued enumeration knob.
#[macro_export]
macro_rules! string_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $var),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The value as written in files.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
        }
        impl $crate::scenario::schema::Knob for $name {
            const TYPE: &'static str = concat!("one of" $(, " `", $s, "`")+);
            fn read(node: &$crate::scenario::tree::Node, key: &str, _: &$crate::scenario::schema::Spec, c: &mut $crate::scenario::diag::Collector) -> Option<Self> {
                let names = [$($s),+];
                match &node.val {
                    $crate::scenario::tree::Val::Str(s) => match s.as_str() {
                        $($s => Some($name::$var),)+
                        other => {
                            let msg = format!("unknown value `{other}`: expected one of {}", names.map(|n| format!("`{n}`")).join(", "));
                            match $crate::scenario::diag::nearest(other, names) {
                                Some(n) => c.error_hint(node.span, key, msg, format!("did you mean `{n}`?")),
                                None => c.error(node.span, key, msg),
                            }
                            None
                        }
                    },
                    v => {
                        c.error(node.span, key, format!("expected a string, one of {}; found {}", names.map(|n| format!("`{n}`")).join(", "), v.type_name()));
                        None
                    }
                }
            }
            fn write(&self) -> toml::Value { toml::Value::String(self.as_str().to_string()) }
        }
    };
}

/// Report unknown keys of a table, with the nearest valid key as a hint.
pub fn unknown_key(
    entry_key: &str,
    span: super::diag::Span,
    path: &str,
    fields: &[&str],
    c: &mut Collector,
) {
    let full = if path.is_empty() {
        entry_key.to_string()
    } else {
        format!("{path}.{entry_key}")
    };
    c.unknown(span, &full, "key", entry_key, fields);
}

pub use super::diag::join;

/// Declare a scenario section: a struct of knobs, each with a default, a range and a unit.
///
/// ```text
/// section! {
///     /// Talent housing.
///     pub struct Housing {
///         /// Talent rental rooms available at the start.
///         units: f64 = 0.0 => [0.0, 1e8] "rooms";
///     }
/// }
/// ```
#[macro_export]
macro_rules! section {
    ($(#[$m:meta])* pub struct $name:ident {
        $( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $default:expr => [$lo:expr, $hi:expr] $unit:literal; )*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $( $(#[doc = $doc])* pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self { $name { $( $field: $default, )* } }
        }

        impl $name {
            /// The keys this section accepts.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl $crate::scenario::schema::Knob for $name {
            const TYPE: &'static str = "table";
            fn read(node: &$crate::scenario::tree::Node, key: &str, _: &$crate::scenario::schema::Spec, c: &mut $crate::scenario::diag::Collector) -> Option<Self> {
                #[allow(unused_mut)]
                let mut out = $name::default();
                let $crate::scenario::tree::Val::Table(entries) = &node.val else {
                    c.error(node.span, key, format!("expected a table, found {}", node.val.type_name()));
                    return None;
                };
                for e in entries {
                    match e.key.as_str() {
                        $( stringify!($field) => {
                            let spec = $crate::scenario::schema::Spec { min: $lo as f64, max: $hi as f64, unit: $unit };
                            let k = $crate::scenario::schema::join(key, stringify!($field));
                            if let Some(v) = <$ty as $crate::scenario::schema::Knob>::read(&e.node, &k, &spec, c) {
                                out.$field = v;
                            }
                        } )*
                        other => $crate::scenario::schema::unknown_key(other, e.key_span, key, Self::FIELDS, c),
                    }
                }
                Some(out)
            }
            fn write(&self) -> toml::Value {
                #[allow(unused_mut)]
                let mut t = toml::Table::new();
                $( t.insert(stringify!($field).to_string(), $crate::scenario::schema::Knob::write(&self.$field)); )*
                toml::Value::Table(t)
            }
            fn docs(prefix: &str, out: &mut Vec<$crate::scenario::schema::KnobDoc>) {
                #[allow(unused_variables)]
                let d = $name::default();
                $(
                    let path = $crate::scenario::schema::join(prefix, stringify!($field));
                    if <$ty as $crate::scenario::schema::Knob>::is_section() {
                        <$ty as $crate::scenario::schema::Knob>::docs(&path, out);
                    } else {
                        let doc: &[&str] = &[$($doc),*];
                        out.push($crate::scenario::schema::KnobDoc {
                            path,
                            ty: <$ty as $crate::scenario::schema::Knob>::TYPE,
                            default: $crate::scenario::schema::Knob::write(&d.$field).to_string(),
                            min: $lo as f64,
                            max: $hi as f64,
                            unit: $unit,
                            doc: doc.iter().map(|s| s.trim()).collect::<Vec<_>>().join(" "),
                        });
                    }
                )*
            }
            fn is_section() -> bool { true }
        }
    };
}
