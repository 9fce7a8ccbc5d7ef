//! Snapshot tests of what users read (insta): the diagnostics of every error fixture, the
//! resolved scenario, `--help`, a sweep's dry run. A change to any of them shows as a diff in
//! review (`cargo insta review`); timings and machine-dependent sizes are masked.

use std::process::Command;

fn talentsim(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The diagnostics of every error fixture (`tests/fixtures/errors/`), each with
/// file:line:column, key, expectation and hint; exit 2. In the memory refusal the machine's
/// available memory and the sizes are masked.
#[test]
fn diagnostics_of_every_error_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let path = format!("tests/fixtures/errors/{name}");
        let (code, _, err) = talentsim(&["validate", &path]);
        let stem = name.trim_end_matches(".toml");
        let err = if stem == "too_large" {
            mask_numbers(&err)
        } else {
            err
        };
        insta::assert_snapshot!(format!("error_{stem}"), format!("exit {code}\n{err}"));
    }
}

/// A `--set` with a misspelt region and a value out of range.
#[test]
fn diagnostics_of_bad_overrides() {
    let (code, _, err) = talentsim(&[
        "validate",
        "scenarios/minimal.toml",
        "--set",
        "region.Minitwon.rent_cny=3000",
        "--set",
        "behaviour.founding_rate=2",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

/// The fully resolved minimal scenario: every default, in order.
#[test]
fn show_minimal() {
    let (code, out, _) = talentsim(&["show", "scenarios/minimal.toml"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

/// `run --help`: the arguments and what they do.
#[test]
fn run_help() {
    let (code, out, _) = talentsim(&["run", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

/// A sweep's dry run, with the timed and measured figures filtered out.
#[test]
fn sweep_dry_run() {
    let (code, out, _) = talentsim(&[
        "sweep",
        "tests/fixtures/sweeps/minimal-lhs.toml",
        "--dry-run",
        "--threads",
        "2",
    ]);
    assert_eq!(code, 0);
    // The timed and measured figures vary by machine: numbers on those lines become `N`.
    let masked: Vec<String> = out
        .lines()
        .map(|l| {
            if ["time:", "memory:", "disk:"]
                .iter()
                .any(|p| l.starts_with(p))
            {
                // A duration's unit changes with it too (`1 second`, `3 minutes`).
                let mut l = mask_numbers(l);
                for unit in ["seconds", "second", "minutes", "minute", "hours", "hour"] {
                    l = l.replace(&format!("N {unit}"), "N [unit]");
                }
                l
            } else {
                l.to_string()
            }
        })
        .collect();
    insta::assert_snapshot!(masked.join("\n"));
}

/// Every run of digits (with its decimal point) as `N`.
fn mask_numbers(line: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for ch in line.chars() {
        if ch.is_ascii_digit() || (in_number && ch == '.') {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(ch);
        }
    }
    out
}
