//! The library's modules depend on each other in one direction (issue 11,
//! `docs/ARCHITECTURE.md`):
//! each top-level module may use only the modules before it in [`LAYERS`], and inside every
//! module folder the sibling submodules form no cycle. The dependencies are read from the
//! source, comments and string literals removed: every `crate::m` path (`$crate::m` in macros,
//! `crate::{a, b}` groups), `talentsim::m` in the binary (`src/main.rs`, `src/cli/`), and `super::m` between siblings.
//! Test code is held to the same rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first.
const LAYERS: &[&str] = &[
    "rng",
    "scenario",
    "model",
    "sim",
    "metrics",
    "output",
    "stats",
    "resolve",
    "batch",
    "compare",
    "calibrate",
    "sweep",
    "facts",
    "plot",
    "report",
    "analysis",
    "term",
    "cli",
    "main",
];

/// Source text with comments, string and character literals blanked out (lifetimes kept).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == b'r' && matches!(b.get(i + 1), Some(b'#') | Some(b'"')) && {
            let mut j = i + 1;
            while b.get(j) == Some(&b'#') {
                j += 1;
            }
            b.get(j) == Some(&b'"')
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        } {
            let mut j = i + 1;
            let mut hashes = 0;
            while b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"'
                    && b[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == b'#')
                        .count()
                        == hashes
                {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push_str("\"\"");
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if b.get(i + 1) == Some(&b'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else {
                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                if b.get(i + 1 + ch_len) == Some(&b'\'') {
                    i += 2 + ch_len;
                    out.push_str("' '");
                } else {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segments after every `prefix` (`crate::`, `super::`, …), with `{a, b::c}`
/// groups expanded to `a`, `b`; each with its line.
fn uses_after(code: &str, prefix: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = code[from..].find(prefix) {
        let at = from + pos;
        from = at + prefix.len();
        let before = code[..at].chars().next_back();
        let boundary = before.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if !boundary && !code[..at].ends_with('$') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        let rest = code[from..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let id = ident_at(&group[k..]);
                        if !id.is_empty() {
                            found.push((id.to_string(), line));
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let id = ident_at(rest);
            if !id.is_empty() {
                found.push((id.to_string(), line));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file is (`src/sim/people.rs` → `["sim", "people"]`, `src/sim/mod.rs` →
/// `["sim"]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

#[test]
fn modules_depend_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    // Sibling edges inside each folder: folder → (from → {to}).
    let mut siblings: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut folders: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(&src, f);
        if m.len() >= 2 {
            folders
                .entry(m[..m.len() - 1].to_vec())
                .or_default()
                .insert(m[m.len() - 1].clone());
        }
    }
    for f in &files {
        let m = module_of(&src, f);
        let Some(top) = m.first().filter(|t| *t != "lib") else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        let me = rank(top).unwrap_or_else(|| panic!("`{top}` is not in LAYERS: add it"));
        // The binary (`main`, `cli`) reaches the library as `talentsim::`.
        let prefix = if matches!(top.as_str(), "main" | "cli") {
            "talentsim::"
        } else {
            "crate::"
        };
        for (dep, line) in uses_after(&code, prefix) {
            let Some(r) = rank(&dep) else { continue };
            if r > me {
                wrong.push(format!(
                    "{}:{line}: `{top}` uses `{dep}`, a later layer",
                    f.strip_prefix(src.parent().unwrap()).unwrap_or(f).display()
                ));
            }
        }
        // Sibling edges: `super::x` from a submodule file, `crate::<folder>::x` anywhere in it.
        if m.len() >= 2 {
            let folder = m[..m.len() - 1].to_vec();
            let me_leaf = m[m.len() - 1].clone();
            let names = &folders[&folder];
            let mut deps: Vec<String> = uses_after(&code, "super::")
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            let qualified = format!("crate::{}::", folder.join("::"));
            deps.extend(uses_after(&code, &qualified).into_iter().map(|(d, _)| d));
            for d in deps {
                if names.contains(&d) && d != me_leaf {
                    siblings
                        .entry(folder.clone())
                        .or_default()
                        .entry(me_leaf.clone())
                        .or_default()
                        .insert(d);
                }
            }
        }
    }
    for (folder, graph) in &siblings {
        if let Some(cycle) = find_cycle(graph) {
            wrong.push(format!(
                "src/{}: submodules in a cycle: {}",
                folder.join("/"),
                cycle.join(" → ")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "modules must depend only on earlier layers ({}):\n{}",
        LAYERS.join(" → "),
        wrong.join("\n")
    );
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == d).unwrap();
                    let mut c = stack[at..].to_vec();
                    c.push(d.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(d, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// The reader itself: comments and strings do not count, groups do.
#[test]
fn the_dependency_reader_sees_code_only() {
    let code = code_only(
        "use crate::{sim, model::firm}; // crate::plot\nlet s = \"crate::report\"; /* crate::x */ let c = '\\''; fn f<'a>(x: &'a crate::stats::S) {}\nlet r = r#\"crate::sweep\"#;",
    );
    let deps: Vec<String> = uses_after(&code, "crate::")
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(deps, ["sim", "model", "stats"]);
}
