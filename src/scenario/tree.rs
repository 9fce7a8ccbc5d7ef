//! A TOML document as a tree of values that remember where they came from.
//!
//! Scenario files are read in three steps: parse every file of the `extends` chain into a
//! [`Node`] tree (each value keeps its file and byte span), merge the chain and apply `--set`
//! overrides, then read the merged tree against the schema ([`super::schema`]). Keeping spans
//! through the merge is what lets every error name the file, line and column it came from.

use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diag::{Collector, SourceMap, Span};

/// A value with its origin.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub val: Val,
    /// Where it was written.
    pub span: Span,
}

/// A key of a table with its origin.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// The key's value.
    pub node: Node,
}

/// A TOML value whose elements keep their origins.
#[derive(Debug, Clone)]
pub enum Val {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A TOML date or time, as written (a month knob reads it like a string).
    Datetime(String),
    /// An array, its elements in order.
    Array(Vec<Node>),
    /// A table, its entries in order.
    Table(Vec<Entry>),
}

impl Val {
    /// The value's TOML type with its article (`a string`, `an integer`), for "found …" in
    /// messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Int(_) => "an integer",
            Val::Float(_) => "a float",
            Val::Bool(_) => "a boolean",
            Val::Datetime(_) => "a datetime",
            Val::Array(_) => "an array",
            Val::Table(_) => "a table",
        }
    }
}

impl Node {
    /// An empty table written at `span`.
    pub fn table(span: Span) -> Node {
        Node {
            val: Val::Table(Vec::new()),
            span,
        }
    }

    /// The value of `key`, if this is a table that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.val {
            Val::Table(t) => t.iter().find(|e| e.key == key).map(|e| &e.node),
            _ => None,
        }
    }

    fn name(&self) -> Option<&str> {
        match self.get("name").map(|n| &n.val) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }

    fn remove(&mut self, key: &str) -> Option<Entry> {
        match &mut self.val {
            Val::Table(t) => t.iter().position(|e| e.key == key).map(|i| t.remove(i)),
            _ => None,
        }
    }
}

fn span_of<T>(s: &Spanned<T>, file: u32) -> Span {
    let r = s.span();
    Span {
        file,
        start: r.start as u32,
        end: r.end as u32,
    }
}

// `key` is the dotted path of the value, so that a bad literal names its key.
fn convert(v: &Spanned<DeValue<'_>>, file: u32, key: &str, c: &mut Collector) -> Node {
    let span = span_of(v, file);
    let val = match v.get_ref() {
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Val::Int(n),
            Err(e) => {
                // Say whether the literal is too large or not a number at all (`0x`), and what
                // range is expected; the schema reports nothing more for the placeholder 0.
                let what = match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        "is out of range"
                    }
                    _ => "is not a valid integer",
                };
                let src = c
                    .sources
                    .sources
                    .get(file as usize)
                    .map_or("", |s| s.text.as_str());
                let lit = src
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or(i.as_str())
                    .to_string();
                c.error(
                    span,
                    key,
                    format!(
                        "the integer `{lit}` {what}: expected a whole number between {} and {}",
                        i64::MIN,
                        i64::MAX
                    ),
                );
                Val::Int(0)
            }
        },
        DeValue::Float(f) => {
            let s = f.as_str();
            let x = match s.trim_start_matches('+') {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "-nan" => f64::NAN,
                t => t.replace('_', "").parse().unwrap_or(f64::NAN),
            };
            Val::Float(x)
        }
        DeValue::Boolean(b) => Val::Bool(*b),
        DeValue::Datetime(d) => Val::Datetime(d.to_string()),
        DeValue::Array(a) => Val::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| convert(x, file, &format!("{key}[{i}]"), c))
                .collect(),
        ),
        DeValue::Table(t) => Val::Table(convert_table(t, file, key, c)),
    };
    Node { val, span }
}

fn convert_table(t: &DeTable<'_>, file: u32, path: &str, c: &mut Collector) -> Vec<Entry> {
    t.iter()
        .map(|(k, v)| {
            let key = k.get_ref().to_string();
            let node = convert(v, file, &super::diag::join(path, &key), c);
            Entry {
                key,
                key_span: span_of(k, file),
                node,
            }
        })
        .collect()
}

/// Parse one TOML text (already registered in the source map as `file`).
pub(crate) fn parse_text(file: u32, c: &mut Collector) -> Option<Node> {
    let text = c.sources.sources[file as usize].text.clone();
    let (doc, errors) = DeTable::parse_recoverable(&text);
    for e in errors {
        let r = e.span().unwrap_or(0..0);
        let span = Span {
            file,
            start: r.start as u32,
            end: r.end as u32,
        };
        let msg = e.message().trim();
        // The parser's messages name neither the key nor, for some, what was expected: add both.
        let (key, value_missing) = line_key(&text, r.start);
        if msg == "duplicate key" {
            let key = if key.is_empty() {
                text.get(r.clone())
                    .unwrap_or("")
                    .trim()
                    .trim_matches(|ch| ch == '"' || ch == '\'')
                    .to_string()
            } else {
                key
            };
            c.error(span, &key, format!("invalid TOML: duplicate key `{key}`: expected each key and table to be defined only once"));
        } else if value_missing {
            // `key =` with nothing after it; the parser would say "string values must be quoted".
            c.error(span, &key, "invalid TOML: missing value after `=`: expected a value (a number, a \"string\", `true`/`false`, an `[array]` or an `{ inline = table }`)");
        } else {
            c.error(span, &key, format!("invalid TOML: {msg}"));
        }
    }
    // After a syntax error the parser has recovered what it could: the rest of the file is
    // checked too (`load_input` drops what the spoiled values would make spurious).
    let span = Span {
        file,
        start: 0,
        end: text.len() as u32,
    };
    Some(Node {
        val: Val::Table(convert_table(doc.get_ref(), file, "", c)),
        span,
    })
}

/// Best effort, for syntax errors (the parser gives only a byte offset): the dotted key of the
/// line at `at` (`region.rent_cny`, from the line's `key =` and the nearest table header above
/// it, or the header itself), and whether that line has nothing after its `=`. Empty key when
/// the line does not look like `key = ...` or `[table]`.
fn line_key(text: &str, at: usize) -> (String, bool) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim();
    let is_key = |k: &str| {
        !k.trim().is_empty()
            && k.chars()
                .all(|ch| ch.is_alphanumeric() || "_-.\"' ".contains(ch))
    };
    let clean = |k: &str| {
        k.split('.')
            .map(|p| p.trim().trim_matches(|ch| ch == '"' || ch == '\''))
            .collect::<Vec<_>>()
            .join(".")
    };
    let header_of = |l: &str| {
        l.trim_start_matches('[')
            .split(']')
            .next()
            .filter(|h| is_key(h))
            .map(clean)
    };
    if line.starts_with('[') {
        return (header_of(line).unwrap_or_default(), false);
    }
    let Some((k, v)) = line.split_once('=').filter(|(k, _)| is_key(k)) else {
        return (String::new(), false);
    };
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(header_of)
        .unwrap_or_default();
    let v = v.trim();
    (
        super::diag::join(&header, &clean(k)),
        v.is_empty() || v.starts_with('#'),
    )
}

/// Largest input file talentsim reads (a scenario, an `extends` target, a sweep or targets
/// file): 16 MiB, checked before reading.
pub(crate) const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Why an input file was not read.
#[derive(Debug)]
pub(crate) enum InputError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// Not a regular file: a FIFO, a device, a directory, a socket.
    NotRegular(&'static str),
    /// Larger than [`MAX_INPUT_BYTES`]: its size in bytes.
    TooLarge(u64),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Io(e) => write!(f, "{e}"),
            InputError::NotRegular(what) => write!(
                f,
                "it is {what}, not a regular file (input files are read only from regular files)"
            ),
            InputError::TooLarge(n) => write!(
                f,
                "it is {:.1} MiB, more than the {} MiB an input file may be",
                *n as f64 / (1u64 << 20) as f64,
                MAX_INPUT_BYTES >> 20
            ),
        }
    }
}

/// Read an input file: only a regular file (symlinks followed; a loop is an error), of at most
/// [`MAX_INPUT_BYTES`], checked before reading — so `/dev/zero`, a FIFO or a directory is
/// refused at once instead of read forever or blocked on.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(InputError::Io)?;
    let ft = meta.file_type();
    if !ft.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let what = if ft.is_dir() {
            "a directory"
        } else if ft.is_fifo() {
            "a FIFO (named pipe)"
        } else if ft.is_char_device() || ft.is_block_device() {
            "a device"
        } else if ft.is_socket() {
            "a socket"
        } else {
            "a special file"
        };
        return Err(InputError::NotRegular(what));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(InputError::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may have grown since: never read past the cap.
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(InputError::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Read `path` and its `extends` chain into one merged tree, registering every text read in
/// `sources`.
pub(crate) fn load(
    path: &Path,
    sources: &mut SourceMap,
) -> (Option<Node>, Vec<super::diag::Diagnostic>) {
    let mut loader = Loader::new(sources);
    let node = loader.file(path, None);
    (node, loader.diags)
}

/// Parse a text held in memory (named `name` in diagnostics) and its `extends` chain, which is
/// read from files relative to the current directory.
pub(crate) fn load_str(
    name: &str,
    text: &str,
    sources: &mut SourceMap,
) -> (Option<Node>, Vec<super::diag::Diagnostic>) {
    let file = sources.add(name, text);
    let mut loader = Loader::new(sources);
    let node = loader.text(Path::new(""), file);
    (node, loader.diags)
}

/// Reading a source and its `extends` chain: every text read, the problems found, and the
/// files being read (to report a cycle).
struct Loader<'s> {
    sources: &'s mut SourceMap,
    diags: Vec<super::diag::Diagnostic>,
    /// The canonical paths of the files being read, the first at the bottom.
    chain: Vec<PathBuf>,
}

impl<'s> Loader<'s> {
    fn new(sources: &'s mut SourceMap) -> Self {
        Loader {
            sources,
            diags: Vec::new(),
            chain: Vec::new(),
        }
    }

    /// Read the file `path` (named by the `extends` at `from`, or given by the user) and its
    /// own `extends` chain.
    fn file(&mut self, path: &Path, from: Option<Span>) -> Option<Node> {
        let bytes = match read_input(path) {
            Ok(b) => b,
            Err(e) => {
                let what = if from.is_some() {
                    "the `extends` target"
                } else {
                    "the file"
                };
                let key = if from.is_some() { "extends" } else { "" };
                let msg = format!("cannot read {what} `{}`: {e}", path.display());
                self.report(path, from, key, msg);
                return None;
            }
        };
        let canon = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if let Some(pos) = self.chain.iter().position(|p| *p == canon) {
            let cycle: Vec<String> = self.chain[pos..]
                .iter()
                .chain([&canon])
                .map(|p| file_name(p))
                .collect();
            let msg = format!("`extends` cycle: {}", cycle.join(" → "));
            self.report(path, from, "extends", msg);
            return None;
        }
        let text = self.decode(path, bytes)?;
        let file = self.sources.add(path.display().to_string(), text);
        self.chain.push(canon);
        let node = self.text(path, file);
        self.chain.pop();
        node
    }

    /// A problem with reading `path`: at `from` (its `extends`) if there is one, else at the
    /// file itself, which has no position to point at.
    fn report(&mut self, path: &Path, from: Option<Span>, key: &str, msg: String) {
        let mut c = Collector::new(self.sources);
        match from {
            Some(s) => c.error(s, key, msg),
            None => c.diags.push(super::diag::Diagnostic {
                file: path.display().to_string(),
                line: 1,
                column: 1,
                key: key.to_string(),
                message: msg,
                hint: None,
            }),
        }
        self.diags.extend(c.diags);
    }

    /// The text of `path`'s `bytes`, or `None` after reporting the first byte that is not
    /// UTF-8 (the text is registered, lossily decoded, for the diagnostic's position).
    fn decode(&mut self, path: &Path, bytes: Vec<u8>) -> Option<String> {
        let e = match String::from_utf8(bytes) {
            Ok(t) => return Some(t),
            Err(e) => e,
        };
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let file = self.sources.add(path.display().to_string(), lossy);
        let mut c = Collector::new(self.sources);
        let span = Span {
            file,
            start: prefix.len() as u32,
            end: prefix.len() as u32 + 1,
        };
        // Name the offending byte, so the user can find it with a hex viewer if the
        // line/column (counted in the lossily decoded text) is not enough.
        let byte = e.as_bytes()[valid];
        c.error(span, "", format!("the file is not valid UTF-8: invalid byte 0x{byte:02X} at byte offset {valid}; expected UTF-8 text (re-save the file as UTF-8)"));
        self.diags.extend(c.diags);
        None
    }

    /// The rest of reading one source once its text is registered as `file`: reject an empty
    /// file, parse it, and follow its `extends` (relative to `path`'s folder).
    fn text(&mut self, path: &Path, file: u32) -> Option<Node> {
        let text = &self.sources.sources[file as usize].text;
        if text.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        }) {
            let mut c = Collector::new(self.sources);
            c.error_hint(
                Span { file, start: 0, end: 0 },
                "",
                "the file is empty: expected a scenario (at least `start`, `end` and one `[[region]]`)",
                "start from `scenarios/minimal.toml`, or write `extends = \"other.toml\"` to derive a variant",
            );
            self.diags.extend(c.diags);
            return None;
        }
        let mut c = Collector::new(self.sources);
        let parsed = parse_text(file, &mut c);
        self.diags.extend(c.diags);
        let node = parsed?;
        self.extends(path, node)
    }

    /// `node` (read from `path`) merged over the file its `extends` names, if it names one.
    fn extends(&mut self, path: &Path, mut node: Node) -> Option<Node> {
        let Some(ext) = node.remove("extends") else {
            return Some(node);
        };
        let Val::Str(target) = &ext.node.val else {
            let mut c = Collector::new(self.sources);
            c.error(
                ext.node.span,
                "extends",
                format!(
                    "expected a string (a path to another scenario file), found {}",
                    ext.node.val.type_name()
                ),
            );
            self.diags.extend(c.diags);
            return Some(node);
        };
        let base_path = path.parent().unwrap_or(Path::new(".")).join(target);
        let mut base = self.file(&base_path, Some(ext.node.span))?;
        merge(&mut base, node);
        Some(base)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Merge `over` into `base`: tables merge key by key, arrays of tables whose elements all have a
/// `name` merge element by element on that name (new names are appended), anything else is
/// replaced.
pub(crate) fn merge(base: &mut Node, over: Node) {
    match (&mut base.val, over.val) {
        (Val::Table(bt), Val::Table(ot)) => {
            for e in ot {
                match bt.iter_mut().find(|b| b.key == e.key) {
                    Some(b) => {
                        b.key_span = e.key_span;
                        merge(&mut b.node, e.node);
                    }
                    None => bt.push(e),
                }
            }
        }
        (Val::Array(ba), Val::Array(oa))
            if !oa.is_empty() && ba.iter().chain(oa.iter()).all(|n| n.name().is_some()) =>
        {
            // Elements by name (the first of each), so merging n named tables is linear, not
            // quadratic (20,000 regions in a variant took 9 s).
            let mut index: std::collections::HashMap<String, usize> =
                std::collections::HashMap::with_capacity(ba.len());
            for (i, b) in ba.iter().enumerate() {
                index.entry(b.name().unwrap_or("").to_string()).or_insert(i);
            }
            for o in oa {
                let name = o.name().unwrap_or("").to_string();
                match index.get(&name) {
                    Some(&i) => merge(&mut ba[i], o),
                    None => {
                        index.insert(name, ba.len());
                        ba.push(o);
                    }
                }
            }
        }
        (_, v) => {
            base.val = v;
            base.span = over.span;
        }
    }
}

/// A problem in the `--set` source `file`, at byte `at`.
fn set_error(
    sources: &SourceMap,
    file: u32,
    at: u32,
    key: &str,
    msg: String,
    hint: Option<String>,
) -> super::diag::Diagnostic {
    let mut c = Collector::new(sources);
    let span = Span {
        file,
        start: at,
        end: at,
    };
    match hint {
        Some(h) => c.error_hint(span, key, msg, h),
        None => c.error(span, key, msg),
    }
    c.diags.pop().expect("one diagnostic")
}

/// Apply one `--set path.to.knob=value` override. Array elements are addressed by index
/// (`region.0`) or by their `name` (`region.Binjiang`). Unknown keys are created, so the
/// schema reader reports them with the `--set` argument as their location.
pub(crate) fn apply_set(
    root: &mut Node,
    arg: &str,
    sources: &mut SourceMap,
) -> Result<(), super::diag::Diagnostic> {
    let file = sources.add("--set", arg);
    let fail = |sources: &SourceMap, at: u32, key: &str, msg: String, hint: Option<String>| {
        set_error(sources, file, at, key, msg, hint)
    };
    let Some(eq) = arg.find('=') else {
        return Err(fail(
            sources,
            0,
            "",
            format!("`--set {arg}`: expected `path.to.knob=value`"),
            None,
        ));
    };
    let (path, raw) = (arg[..eq].trim(), &arg[eq + 1..]);
    if path.is_empty() {
        return Err(fail(
            sources,
            0,
            "",
            "`--set`: the knob path before `=` is empty".into(),
            None,
        ));
    }
    // Parse the value as TOML; a bare word that is not TOML is taken as a string.
    let doc = format!("v = {raw}");
    let mut tmp = SourceMap::default();
    let tf = tmp.add("--set", doc.clone());
    let mut c = Collector::new(&tmp);
    let value_start = eq as u32 + 1;
    let parsed = parse_text(tf, &mut c).and_then(|n| n.get("v").cloned());
    // A literal that parses but does not convert (`0x`, an integer past i64) leaves a diagnostic
    // in the scratch collector and a placeholder 0: take the text as a string instead, so the
    // schema reports "expected an integer …, found a string" rather than silently using 0.
    let converted = c.diags.is_empty();
    let mut value = match parsed.filter(|_| converted) {
        Some(mut n) => {
            shift(&mut n, file, value_start as i64 - 4);
            n
        }
        None => Node {
            val: Val::Str(raw.trim().to_string()),
            span: Span {
                file,
                start: value_start,
                end: arg.len() as u32,
            },
        },
    };
    value.span.file = file;
    place(root, sources, file, arg, eq, value)
}

/// Set one knob to a value held in memory (a sweep point, a calibration step): the value goes
/// into the tree as it is, never through text. For diagnostics it is registered as a source
/// `path=value` named `--set`, as if given on the command line.
pub(crate) fn apply_value(
    root: &mut Node,
    path: &str,
    value: &toml::Value,
    sources: &mut SourceMap,
) -> Result<(), super::diag::Diagnostic> {
    let arg = format!("{path}={}", literal(value));
    let file = sources.add("--set", arg.as_str());
    let span = Span {
        file,
        start: path.len() as u32 + 1,
        end: arg.len() as u32,
    };
    place(
        root,
        sources,
        file,
        &arg,
        path.len(),
        from_value(value, span),
    )
}

/// A value as a TOML literal: integral floats below 10^15 as integers (`5`, not `5.0`, as a
/// user would type them), other floats in Rust's shortest round-trip form.
pub(crate) fn literal(v: &toml::Value) -> String {
    match v {
        toml::Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        toml::Value::Float(x) => format!("{x:?}"),
        other => other.to_string(),
    }
}

fn from_value(v: &toml::Value, span: Span) -> Node {
    let val = match v {
        toml::Value::String(s) => Val::Str(s.clone()),
        toml::Value::Integer(i) => Val::Int(*i),
        toml::Value::Float(x) => Val::Float(*x),
        toml::Value::Boolean(b) => Val::Bool(*b),
        toml::Value::Datetime(d) => Val::Datetime(d.to_string()),
        toml::Value::Array(a) => Val::Array(a.iter().map(|x| from_value(x, span)).collect()),
        toml::Value::Table(t) => Val::Table(
            t.iter()
                .map(|(k, x)| Entry {
                    key: k.clone(),
                    key_span: span,
                    node: from_value(x, span),
                })
                .collect(),
        ),
    };
    Node { val, span }
}

/// Put `value` at the dotted path `arg[..eq]` (source `file`), creating missing tables.
fn place(
    root: &mut Node,
    sources: &SourceMap,
    file: u32,
    arg: &str,
    eq: usize,
    value: Node,
) -> Result<(), super::diag::Diagnostic> {
    let path = SetPath::new(file, arg, eq);
    let last = path.segs.len() - 1;
    let mut cur = root;
    for i in 0..last {
        cur = path.child(cur, i, sources)?;
    }
    path.set(cur, last, value, sources)
}

/// The dotted path of a `--set` argument (source `file`), segment by segment.
struct SetPath<'a> {
    file: u32,
    /// The whole argument: where tables created on the way are said to come from.
    whole: Span,
    /// Each segment and where it is in the argument.
    segs: Vec<(&'a str, Span)>,
}

impl<'a> SetPath<'a> {
    /// The path `arg[..eq]`, trimmed; columns count from the argument's start.
    fn new(file: u32, arg: &'a str, eq: usize) -> Self {
        // `path` was trimmed: start counting columns after any leading blanks.
        let mut offset = (arg[..eq].len() - arg[..eq].trim_start().len()) as u32;
        let segs = arg[..eq]
            .trim()
            .split('.')
            .map(|seg| {
                let span = Span {
                    file,
                    start: offset,
                    end: offset + seg.len() as u32,
                };
                offset += seg.len() as u32 + 1;
                (seg, span)
            })
            .collect();
        SetPath {
            file,
            whole: Span {
                file,
                start: 0,
                end: arg.len() as u32,
            },
            segs,
        }
    }

    /// The first `n` segments, dotted.
    fn key(&self, n: usize) -> String {
        let segs: Vec<&str> = self.segs[..n].iter().map(|s| s.0).collect();
        segs.join(".")
    }

    /// The node segment `i` names inside `cur`, an empty table created if a table lacks it.
    fn child<'n>(
        &self,
        cur: &'n mut Node,
        i: usize,
        sources: &SourceMap,
    ) -> Result<&'n mut Node, super::diag::Diagnostic> {
        let (seg, seg_span) = self.segs[i];
        let type_name = cur.val.type_name();
        match &mut cur.val {
            Val::Table(t) => {
                let pos = match t.iter().position(|e| e.key == seg) {
                    Some(p) => p,
                    None => {
                        t.push(Entry {
                            key: seg.to_string(),
                            key_span: seg_span,
                            node: Node::table(self.whole),
                        });
                        t.len() - 1
                    }
                };
                Ok(&mut t[pos].node)
            }
            Val::Array(a) => {
                let idx = self.element(a, i, sources)?;
                Ok(&mut a[idx])
            }
            _ => Err(self.not_a_table(i, type_name, sources)),
        }
    }

    /// Set what segment `i`, the last, names inside `cur` to `value`, adding it to a table
    /// that lacks it.
    fn set(
        &self,
        cur: &mut Node,
        i: usize,
        value: Node,
        sources: &SourceMap,
    ) -> Result<(), super::diag::Diagnostic> {
        let (seg, seg_span) = self.segs[i];
        let type_name = cur.val.type_name();
        match &mut cur.val {
            Val::Table(t) => match t.iter().position(|e| e.key == seg) {
                Some(p) => t[p].node = value,
                None => t.push(Entry {
                    key: seg.to_string(),
                    key_span: seg_span,
                    node: value,
                }),
            },
            Val::Array(a) => {
                let idx = self.element(a, i, sources)?;
                a[idx] = value;
            }
            _ => return Err(self.not_a_table(i, type_name, sources)),
        }
        Ok(())
    }

    /// The element of `a` segment `i` names, by index or by `name`.
    fn element(
        &self,
        a: &[Node],
        i: usize,
        sources: &SourceMap,
    ) -> Result<usize, super::diag::Diagnostic> {
        let (seg, seg_span) = self.segs[i];
        let idx = seg
            .parse::<usize>()
            .ok()
            .filter(|&i| i < a.len())
            .or_else(|| a.iter().position(|n| n.name() == Some(seg)));
        idx.ok_or_else(|| {
            let names: Vec<String> = a
                .iter()
                .filter_map(|n| n.name().map(str::to_string))
                .collect();
            let hint = super::diag::nearest(seg, names.iter().map(String::as_str))
                .map(|n| format!("did you mean `{n}`?"));
            set_error(
                sources,
                self.file,
                seg_span.start,
                &self.key(i + 1),
                format!(
                    "no element `{seg}` in this array: expected an index below {} or one of the names [{}]",
                    a.len(),
                    names.join(", ")
                ),
                hint,
            )
        })
    }

    /// Segment `i` names a key inside a value (of type `type_name`) that is not a table.
    fn not_a_table(
        &self,
        i: usize,
        type_name: &str,
        sources: &SourceMap,
    ) -> super::diag::Diagnostic {
        set_error(
            sources,
            self.file,
            self.segs[i].1.start,
            &self.key(i),
            format!(
                "`{}` is {}, not a table: cannot set a key inside it",
                self.key(i),
                type_name
            ),
            None,
        )
    }
}

fn shift(n: &mut Node, file: u32, by: i64) {
    n.span.file = file;
    n.span.start = (n.span.start as i64 + by).max(0) as u32;
    n.span.end = (n.span.end as i64 + by).max(0) as u32;
    match &mut n.val {
        Val::Array(a) => a.iter_mut().for_each(|x| shift(x, file, by)),
        Val::Table(t) => t.iter_mut().for_each(|e| shift(&mut e.node, file, by)),
        _ => {}
    }
}
