//! Docs stay true: the knob reference is the command's output, docs/OUTPUTS.md documents every
//! output column, and every relative link in the README and docs/ resolves.

use std::process::Command;

#[test]
fn knobs_md_matches_the_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .arg("knobs")
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string("docs/KNOBS.md").unwrap();
    assert!(
        doc.ends_with(&table),
        "docs/KNOBS.md is stale: regenerate it from `talentsim knobs` (see its header)"
    );
}

#[test]
fn outputs_md_documents_every_timeseries_column() {
    let readme = std::fs::read_to_string("docs/OUTPUTS.md").unwrap();
    let sc = talentsim::load("scenarios/minimal.toml".as_ref(), &[]).unwrap();
    let run = talentsim::simulate(&sc, 1);
    let mut buf = Vec::new();
    talentsim::output::write_timeseries(&mut buf, &run.recorder.rows).unwrap();
    let text = String::from_utf8(buf).unwrap();
    for col in text.lines().next().unwrap().split(',') {
        let documented = readme.contains(&format!("`{col}`"))
            || (col.starts_with("firms_") && readme.contains("`firms_preseed` … `firms_growth`"));
        assert!(
            documented,
            "docs/OUTPUTS.md does not document the column `{col}`"
        );
    }
}

/// GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every relative link in the README and `docs/` reaches a file that exists and, for a
/// Markdown file, a heading it has.
#[test]
fn every_relative_link_resolves() {
    use std::path::Path;
    let mut files = vec![Path::new("README.md").to_path_buf()];
    for e in std::fs::read_dir("docs").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    let anchors = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(anchor)
            .collect()
    };
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            if target.contains("://") || target.contains(' ') || target.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                f.clone()
            } else {
                f.parent().unwrap().join(path)
            };
            if !file.exists() {
                bad.push(format!("{}: `{target}`: no such file", f.display()));
            } else if !frag.is_empty()
                && file.extension().is_some_and(|x| x == "md")
                && !anchors(&file).iter().any(|a| a == frag)
            {
                bad.push(format!("{}: `{target}`: no such heading", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}
