//! Diagnostics: every problem in an input file, with where it is and what was expected.

use std::fmt;
use std::path::{Path, PathBuf};

/// A source text the diagnostics can point into (a file, or a `--set` argument).
#[derive(Debug, Clone)]
pub struct Source {
    /// Display name: the path as given, or `--set` for command-line overrides.
    pub name: String,
    /// The text, for line/column lookup and hashing.
    pub text: String,
}

/// All sources read while resolving one input (the file, its `extends` chain, `--set`s).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// Every source, in the order read; a [`Span`]'s `file` is an index into it.
    pub sources: Vec<Source>,
}

/// Where a value came from: a byte range in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Index of the source in its [`SourceMap`].
    pub file: u32,
    /// Byte offset of the value's first byte in the source's text.
    pub start: u32,
    /// Byte offset just past the value's last byte.
    pub end: u32,
}

impl SourceMap {
    /// Add a source named `name` (a path, or `--set`) holding `text`; returns its index, for
    /// [`Span::file`].
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> u32 {
        self.sources.push(Source {
            name: name.into(),
            text: text.into(),
        });
        (self.sources.len() - 1) as u32
    }

    /// `(name, line, column)`, 1-based; columns count characters, not bytes.
    pub fn locate(&self, span: Span) -> (String, usize, usize) {
        let Some(src) = self.sources.get(span.file as usize) else {
            return ("<unknown>".into(), 0, 0);
        };
        let at = (span.start as usize).min(src.text.len());
        let before = &src.text[..floor_char_boundary(&src.text, at)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (src.name.clone(), line, col)
    }

    /// The path of a file source, for resolving `extends` relative to it.
    pub fn path(&self, file: u32) -> Option<PathBuf> {
        self.sources
            .get(file as usize)
            .map(|s| PathBuf::from(&s.name))
    }
}

/// The dotted key path of `key` inside `path` (`region.housing` + `units`).
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The source's display name: the path as given, or `--set` for command-line overrides.
    pub file: String,
    /// Line of the problem, 1-based (0 when the source is unknown).
    pub line: usize,
    /// Column of the problem, 1-based, counted in characters (0 when the source is unknown).
    pub column: usize,
    /// Dotted path of the offending key (`region[0].housing.units`); for syntax errors a best
    /// guess from the line (`region.rent_cny`, no array index), empty when there is none.
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// A suggestion, e.g. the nearest valid key for a misspelt one.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, ": `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// Several diagnostics, reported together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        write!(
            f,
            "\n{} problem{} found",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )
    }
}

/// Collects diagnostics while reading; converts spans to positions as they are pushed.
pub struct Collector<'a> {
    /// The sources the spans point into.
    pub sources: &'a SourceMap,
    /// The problems found so far, in the order reported.
    pub diags: Vec<Diagnostic>,
    /// Problems found before this collector started (syntax errors, `--set` paths): checks
    /// that need a wholly valid input (the memory pilot) skip when any exist.
    pub prior: usize,
}

impl<'a> Collector<'a> {
    /// A collector with no problems yet, for spans into `sources`.
    pub fn new(sources: &'a SourceMap) -> Self {
        Collector {
            sources,
            diags: Vec::new(),
            prior: 0,
        }
    }

    /// An error at `span` for the dotted key `key` (empty for none).
    pub fn error(&mut self, span: Span, key: &str, message: impl Into<String>) {
        self.push(span, key, message.into(), None);
    }

    /// An error at `span` for `key`, with a suggestion.
    pub fn error_hint(
        &mut self,
        span: Span,
        key: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(span, key, message.into(), Some(hint.into()));
    }

    /// An error for a name that is none of `candidates`, hinting at the nearest of them
    /// ("did you mean `…`?") when one is close.
    pub fn error_suggesting(
        &mut self,
        span: Span,
        key: &str,
        message: impl Into<String>,
        given: &str,
        candidates: &[&str],
    ) {
        let hint =
            nearest(given, candidates.iter().copied()).map(|n| format!("did you mean `{n}`?"));
        self.push(span, key, message.into(), hint);
    }

    /// "unknown {what} `given`: expected one of `a`, `b`, …", with the nearest candidate as a
    /// hint ([`Collector::error_suggesting`]).
    pub fn unknown(&mut self, span: Span, key: &str, what: &str, given: &str, candidates: &[&str]) {
        let list: Vec<String> = candidates.iter().map(|n| format!("`{n}`")).collect();
        let msg = format!(
            "unknown {what} `{given}`: expected one of {}",
            list.join(", ")
        );
        self.error_suggesting(span, key, msg, given, candidates);
    }

    fn push(&mut self, span: Span, key: &str, message: String, hint: Option<String>) {
        let (file, line, column) = self.sources.locate(span);
        self.diags.push(Diagnostic {
            file,
            line,
            column,
            key: key.to_string(),
            message,
            hint,
        });
    }

    /// `Ok` if no problem was reported, else every problem reported, in order.
    pub fn finish(self) -> Result<(), Diagnostics> {
        if self.diags.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(self.diags))
        }
    }
}

/// Damerau-free Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is near enough to be a plausible misspelling.
pub fn nearest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let best = candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .min_by_key(|&(d, c)| (d, c.len()))?;
    let limit = (word.chars().count().max(best.1.chars().count()) / 3).max(2);
    (best.0 <= limit).then_some(best.1)
}

/// Display helper for paths in messages.
pub fn show_path(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_key() {
        let keys = ["units", "discount", "max_age"];
        assert_eq!(nearest("unts", keys), Some("units"));
        assert_eq!(nearest("discont", keys), Some("discount"));
        assert_eq!(nearest("zzzzzzzz", keys), None);
    }

    #[test]
    fn locate_line_col() {
        let mut m = SourceMap::default();
        let f = m.add("a.toml", "x = 1\ny = \"é\" z\n");
        let (_, l, c) = m.locate(Span {
            file: f,
            start: 13,
            end: 14,
        });
        // Byte 13 is the closing `"` after `é` (2 bytes): character column 7 (byte column 8).
        assert_eq!((l, c), (2, 7));
    }
}
