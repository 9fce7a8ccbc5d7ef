//! `report.html`: self-contained, every scenario string escaped, the tables a planner reads.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_talentsim");

fn report(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = Command::new(BIN)
        .arg("compare")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("report.html")).unwrap()
}

#[test]
fn scenario_text_is_escaped_and_nothing_is_fetched() {
    let html = report(&[
        "scenarios/minimal.toml",
        "tests/fixtures/compare/xss.toml",
        "--replicates",
        "2",
    ]);
    let lower = html.to_lowercase();
    assert!(
        !lower.contains("<script"),
        "a <script> element in the report"
    );
    assert!(!lower.contains("<img src=x"), "markup from a description");
    assert!(!html.contains("<b>housing</b>"));
    assert!(!html.contains("<i>talent</i>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Twice the &lt;b&gt;housing&lt;/b&gt; &amp; a &quot;quoted&quot;"));
    assert!(html.contains("&lt;i&gt;talent&lt;/i&gt; stock of 3,000 by the end"));
    // Self-contained: no links to anything outside the file.
    for needle in [
        "http://",
        "https://",
        "src=\"file",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!lower.contains(needle), "the report refers to `{needle}`");
    }
    assert!(html.contains("src=\"data:image/png;base64,"));
}

#[test]
fn tables_and_knob_differences_are_present() {
    let html = report(&[
        "scenarios/minimal.toml",
        "tests/fixtures/compare/xss.toml",
        "--replicates",
        "2",
    ]);
    for id in [
        "scenario-table",
        "target-table",
        "metric-table",
        "knob-table",
        "manifest-table",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    // The changed knob, side by side, highlighted where it differs from the baseline.
    assert!(
        html.contains("<tr><td><code>region.Minitown.housing.units</code></td><td>100.0</td><td class=\"diff\">200.0</td></tr>"),
        "the housing knob is not shown as a highlighted difference"
    );
    // Knobs that are the same are left out.
    assert!(!html.contains("<code>region.Minitown.wage_cny</code>"));
    // The manifest: version and scenario hashes.
    assert!(html.contains(talentsim::VERSION));
    let sc = talentsim::load("tests/fixtures/compare/xss.toml".as_ref(), &[]).unwrap();
    assert!(html.contains(&sc.source_hash));
    // Metrics named in the issue.
    for title in [
        "Cost per new firm",
        "Cost per startup job",
        "Cost per industrialized firm",
        "Policy spend",
        "Unicorns",
    ] {
        assert!(html.contains(title), "no {title}");
    }
}
