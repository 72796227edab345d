//! Keyword search over the searchable columns through the FTS5 index. Each word of the query
//! must match (in any searchable column) as a token prefix; the query text is bound, never
//! spliced.

/// The FTS5 MATCH expression for a user's keywords, or None when nothing searchable is left.
pub fn match_expression(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_term() {
        assert_eq!(
            match_expression("SKU-00017  kurta").as_deref(),
            Some("\"SKU-00017\"* \"kurta\"*")
        );
        assert_eq!(
            match_expression("a\"b OR").as_deref(),
            Some("\"a\"\"b\"* \"OR\"*")
        );
        assert_eq!(match_expression(" - * "), None);
    }
}
