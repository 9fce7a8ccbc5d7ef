//! The report in a real browser (Debian's headless Chromium): it renders, every image has a
//! non-zero size, the tables are there, and no script from scenario text runs. A screenshot is
//! kept as a test artifact in `target/test-artifacts/`.
//!
//! Skipped, with a message, only when `/usr/bin/chromium` is absent and
//! `TALENTSIM_REQUIRE_BROWSER` is unset; `.ci/run` installs Chromium and sets it, so CI always
//! runs this test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const BIN: &str = env!("CARGO_BIN_EXE_talentsim");

fn have_browser() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var_os("TALENTSIM_REQUIRE_BROWSER").is_some() {
        panic!(
            "TALENTSIM_REQUIRE_BROWSER is set but {CHROMIUM} is missing: `apt-get install -y chromium`"
        );
    }
    eprintln!(
        "SKIPPED: the browser test needs {CHROMIUM} (`apt-get install -y chromium`); set TALENTSIM_REQUIRE_BROWSER=1 to make its absence a failure"
    );
    false
}

/// Run headless Chromium on a page with a fresh profile; returns its stdout. Killed after
/// two minutes.
fn chromium(tmp: &Path, tag: &str, args: &[String], page: &Path) -> String {
    let profile = tmp.join(format!("profile-{tag}"));
    let stdout_path = tmp.join(format!("{tag}.out"));
    let stderr_path = tmp.join(format!("{tag}.err"));
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({tag}) did not finish in 120 s: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "chromium ({tag}) failed: {}",
        std::fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// Injected only into a copy of the report: hooks `alert` before anything else runs.
const HOOK: &str =
    "<script>window.__alerts = 0; window.alert = function () { window.__alerts += 1; };</script>";

/// Injected only into the copy: measures every image and SVG once the page has loaded and
/// writes the results into a `<pre id="checker">`.
const CHECKER: &str = r#"<script>
window.addEventListener('load', function () {
  var items = [];
  document.querySelectorAll('img, svg').forEach(function (e) {
    var r = e.getBoundingClientRect();
    var natural = e.tagName === 'IMG' ? (e.complete ? e.naturalWidth + 'x' + e.naturalHeight : 'incomplete') : '-';
    items.push(e.tagName.toLowerCase() + ':' + Math.round(r.width) + 'x' + Math.round(r.height) + ':' + natural);
  });
  var rows = function (id) { var t = document.getElementById(id); return t ? t.querySelectorAll('tr').length : -1; };
  var pre = document.createElement('pre');
  pre.id = 'checker';
  pre.textContent = 'CHECK alerts=' + window.__alerts +
    ' scripts=' + document.querySelectorAll('script').length +
    ' metric_rows=' + rows('metric-table') + ' target_rows=' + rows('target-table') +
    ' knob_rows=' + rows('knob-table') + ' images=' + items.join(',') + ' END';
  document.body.appendChild(pre);
});
</script>"#;

fn field<'a>(check: &'a str, key: &str) -> &'a str {
    let start = check
        .find(&format!("{key}="))
        .unwrap_or_else(|| panic!("no {key} in {check}"))
        + key.len()
        + 1;
    let rest = &check[start..];
    &rest[..rest.find(' ').unwrap_or(rest.len())]
}

#[test]
fn report_renders_in_chromium_with_every_plot_and_no_script() {
    if !have_browser() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = Command::new(BIN)
        .args([
            "compare",
            "scenarios/minimal.toml",
            "tests/fixtures/compare/xss.toml",
            "--replicates",
            "3",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = out.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();

    // Screenshots, kept as artifacts: the first screen, and the whole page.
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for (name, size) in [("report.png", "1200,800"), ("report-full.png", "1200,9000")] {
        let shot = artifacts.join(name);
        let _ = std::fs::remove_file(&shot);
        chromium(
            tmp.path(),
            name,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={size}"),
            ],
            &report,
        );
        let img = image::open(&shot).expect("a screenshot");
        let (w, _) = (img.width(), img.height());
        assert_eq!(w, 1200);
        let rgb = img.to_rgb8();
        let mut colours = std::collections::HashSet::new();
        for p in rgb.pixels().step_by(7) {
            colours.insert(p.0);
        }
        assert!(colours.len() > 20, "{name} looks blank");
    }

    // The report as loaded, after any script would have run: no script element at all, and
    // the scenario named `<script>alert(1)</script>` is text.
    let dom = chromium(
        tmp.path(),
        "dom",
        &["--dump-dom".into(), "--virtual-time-budget=5000".into()],
        &report,
    );
    assert!(dom.contains("id=\"metric-table\""), "no metric table");
    assert!(dom.contains("id=\"target-table\""), "no target table");
    assert!(
        !dom.to_lowercase().contains("<script"),
        "a script element in the loaded report"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // A copy with a checker appended measures what rendered.
    let checked = tmp.path().join("checked.html");
    let copy = html
        .replacen("<head>", &format!("<head>\n{HOOK}"), 1)
        .replacen("</body>", &format!("{CHECKER}\n</body>"), 1);
    std::fs::write(&checked, copy).unwrap();
    let dom = chromium(
        tmp.path(),
        "check",
        &[
            "--dump-dom".into(),
            "--virtual-time-budget=10000".into(),
            "--window-size=1200,800".into(),
        ],
        &checked,
    );
    let start = dom
        .find("<pre id=\"checker\">")
        .map(|i| i + "<pre id=\"checker\">".len())
        .expect("the checker ran");
    let check = &dom[start..start + dom[start..].find(" END").expect("checker output ends")];
    assert_eq!(field(check, "alerts"), "0", "an alert ran: {check}");
    assert_eq!(
        field(check, "scripts"),
        "2",
        "scripts other than the checker's: {check}"
    );
    let metric_rows: i64 = field(check, "metric_rows").parse().unwrap();
    assert!(metric_rows > 20, "metric table rows: {check}");
    let target_rows: i64 = field(check, "target_rows").parse().unwrap();
    assert!(target_rows >= 2, "target table rows: {check}");
    let knob_rows: i64 = field(check, "knob_rows").parse().unwrap();
    assert!(knob_rows >= 3, "knob table rows: {check}");
    let images: Vec<&str> = field(check, "images").split(',').collect();
    assert!(images.len() >= 14, "only {} images: {check}", images.len());
    for img in images {
        let parts: Vec<&str> = img.split(':').collect();
        let (w, h) = parts[1].split_once('x').unwrap();
        assert!(
            w.parse::<i64>().unwrap() > 0 && h.parse::<i64>().unwrap() > 0,
            "an image rendered with no size: {img}"
        );
        if parts[0] == "img" {
            assert_eq!(parts[2], "1200x800", "an image did not decode: {img}");
        }
    }
}
