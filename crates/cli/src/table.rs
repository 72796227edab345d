//! Aligned plain-text tables for terminals, measured in display columns so Hindi, Finnish and
//! emoji line up.

use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn clip(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.width() <= max {
        return one_line;
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in one_line.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

pub fn print(headers: &[&str], rows: &[Vec<String>], max_width: usize) {
    let clipped: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clip(c, max_width)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in &clipped {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.width())))
            .collect();
        outln!("{}", parts.join("  ").trim_end());
    };
    line(&mut headers.iter().copied());
    for r in &clipped {
        line(&mut r.iter().map(String::as_str));
    }
}
