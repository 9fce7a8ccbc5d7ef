//! Docs stay true: the knob reference is the command's output, and docs/REFERENCE.md documents every
//! output column.

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
fn reference_documents_every_timeseries_column() {
    let readme = std::fs::read_to_string("docs/REFERENCE.md").unwrap();
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
            "docs/REFERENCE.md does not document the column `{col}`"
        );
    }
}
