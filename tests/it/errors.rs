//! The library reports failures as typed errors (issue 11): one `thiserror` enum per module
//! (`SweepError`, `CompareError`, `ReportError`, …); `anyhow` belongs to the binary alone
//! (`src/main.rs`, `src/cli/`), which adds context and prints the chain.

use std::path::{Path, PathBuf};

/// Where `anyhow` may appear: the binary.
const BINARY: &[&str] = &["src/main.rs", "src/cli/"];

/// Every `.rs` file under `dir`, as paths relative to the crate root (`/`-separated), sorted.
fn rust_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(root).expect("under the root");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, p));
        }
    }
}

/// The lines (`path:line: text`) of library files outside `allowed` that name `anyhow`, in
/// code or in comments.
fn anyhow_lines(allowed: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(root, &root.join("src"), &mut files);
    let mut found = Vec::new();
    for (rel, path) in files {
        if allowed.iter().any(|a| rel == *a || rel.starts_with(a)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        for (i, line) in text.lines().enumerate() {
            if line.to_lowercase().contains("anyhow") {
                found.push(format!("{rel}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    found
}

/// No library module uses `anyhow` (nor mentions it): the word appears only in the binary.
#[test]
fn anyhow_only_in_the_binary() {
    let found = anyhow_lines(BINARY);
    assert!(
        found.is_empty(),
        "`anyhow` outside the binary (library modules return their own thiserror enum):\n{}",
        found.join("\n")
    );
}

/// The check sees what it looks for: the binary itself does use `anyhow`.
#[test]
fn the_check_finds_anyhow_in_the_binary() {
    let found = anyhow_lines(&[]);
    assert!(
        found.iter().any(|l| l.starts_with("src/cli/")),
        "expected `anyhow` in src/cli/"
    );
}
