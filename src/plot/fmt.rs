//! Text for plots and tables: short numbers and pinyin for Chinese names.

use pinyin::ToPinyin;

/// A number in at most three significant digits with a suffix: `474k`, `8.42k`, `1.2M`,
/// `3.4bn`, `12`, `0.5`; `n/a` when not finite.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, "bn")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    format!("{}{suffix}", sig3(v))
}

/// Three significant digits (whole numbers up to 9,999 in full), trailing zeros trimmed.
fn sig3(v: f64) -> String {
    let a = v.abs();
    let dec = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.dec$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// Text as drawn in plots: Chinese characters transliterated to pinyin (the embedded font has
/// no Chinese glyphs), a run of characters written as one capitalised word (`滨江区` →
/// `Binjiangqu`), and full-width punctuation replaced by its ASCII form.
pub fn plot_text(s: &str) -> String {
    let mut out = String::new();
    let mut in_han = false;
    for c in s.chars() {
        if let Some(p) = c.to_pinyin() {
            let py = p.plain();
            if !in_han {
                if out.chars().last().is_some_and(|x| x.is_alphanumeric()) {
                    out.push(' ');
                }
                let mut cs = py.chars();
                if let Some(f) = cs.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(cs.as_str());
                }
            } else {
                out.push_str(py);
            }
            in_han = true;
            continue;
        }
        if in_han && c.is_alphanumeric() {
            out.push(' ');
        }
        in_han = false;
        out.push(match c {
            '（' => '(',
            '）' => ')',
            '，' | '、' => ',',
            '：' => ':',
            '；' => ';',
            '。' => '.',
            '！' => '!',
            '？' => '?',
            '“' | '”' => '"',
            '　' => ' ',
            _ => c,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(474150.0), "474k");
        assert_eq!(short(8420.0), "8420");
        assert_eq!(short(12345.0), "12.3k");
        assert_eq!(short(1.2e9), "1.2bn");
        assert_eq!(short(3.4e6), "3.4M");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-2500000.0), "-2.5M");
        assert_eq!(short(f64::NAN), "n/a");
    }

    #[test]
    fn chinese_names_become_pinyin() {
        assert_eq!(plot_text("滨江"), "Binjiang");
        assert_eq!(plot_text("萧山区 5213"), "Xiaoshanqu 5213");
        assert_eq!(plot_text("杭州Binjiang"), "Hangzhou Binjiang");
        assert_eq!(plot_text("plan（滨江）"), "plan(Binjiang)");
        assert_eq!(plot_text("Binjiang"), "Binjiang");
    }
}
