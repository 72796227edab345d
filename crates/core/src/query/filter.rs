//! The typed filter AST and its compilation to SQL. Column names in the SQL come only from the
//! registry; every user value travels as a bound parameter.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::columns::Op;
use crate::columns::{self, normalise_status, Column, ColumnKind};
use crate::error::{CoreError, Result};
use crate::time;

/// One condition: `column op values`. `values` holds one value for comparisons, any number
/// for `in`, two for `between` and none for the emptiness tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Filter {
    pub column: String,
    pub op: Op,
    #[serde(default)]
    pub values: Vec<String>,
}

impl Filter {
    pub fn new(column: &str, op: Op, values: &[&str]) -> Self {
        Filter {
            column: column.to_owned(),
            op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    /// Parses the CLI's `COL OP VALUE` (OP one of `= != < <= > >= ~ !~`). An empty value with
    /// `=` / `!=` tests emptiness.
    pub fn parse(expr: &str) -> Result<Filter> {
        let bad = |m: String| CoreError::InvalidQuery(m);
        let expr = expr.trim_start();
        let col_end = expr
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(expr.len());
        let column = &expr[..col_end];
        if column.is_empty() {
            return Err(bad(format!(
                "filter '{expr}' must be COLUMN OP VALUE, e.g. \"status = failed\""
            )));
        }
        let rest = expr[col_end..].trim_start();
        const OPS: [(&str, Op); 8] = [
            ("!~", Op::NotContains),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("~", Op::Contains),
            ("=", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let (sym, op) = OPS
            .iter()
            .find(|(s, _)| rest.starts_with(s))
            .ok_or_else(|| {
                bad(format!(
                    "unknown operator in filter '{expr}'; use one of = != < <= > >= ~ (contains) !~ (does not contain)"
                ))
            })?;
        let value = rest[sym.len()..].trim();
        let column = column.to_ascii_lowercase();
        Ok(match (op, value.is_empty()) {
            (Op::Eq, true) => Filter::new(&column, Op::IsEmpty, &[]),
            (Op::Ne, true) => Filter::new(&column, Op::IsNotEmpty, &[]),
            _ => Filter::new(&column, *op, &[value]),
        })
    }
}

/// SQL text plus its parameters, built up clause by clause.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub params: Vec<SqlValue>,
}

pub fn column(id: &str) -> Result<&'static Column> {
    columns::find(id).ok_or_else(|| CoreError::InvalidQuery(columns::unknown_column_message(id)))
}

fn invalid(c: &Column, m: impl std::fmt::Display) -> CoreError {
    CoreError::InvalidQuery(format!("column '{}': {m}", c.id))
}

/// A time value as the half-open range it names: a date is that whole day, a time without
/// seconds that minute, with seconds that second.
pub(crate) fn time_range(c: &Column, v: &str) -> Result<(i64, i64)> {
    let start = time::parse_instant(v).ok_or_else(|| {
        invalid(
            c,
            format!("'{v}' is not a date or time (use ISO 8601, e.g. 2025-03-01 or 2025-03-01T04:42:42Z)"),
        )
    })?;
    let t = v.trim();
    let time_part = t.get(10..).unwrap_or("");
    let width = if t.contains('.') {
        1
    } else if time_part.matches(':').count() >= 2
        || (time_part.contains(':') && (time_part.contains('Z') || time_part.contains('+')))
    {
        1_000
    } else if time_part.contains(':') {
        60_000
    } else {
        86_400_000
    };
    Ok((start, start + width))
}

fn int_value(c: &Column, v: &str) -> Result<i64> {
    crate::ingest::convert::parse_int(v.trim()).map_err(|m| invalid(c, m))
}

fn bool_value(c: &Column, v: &str) -> Result<i64> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(1),
        "false" | "no" | "0" => Ok(0),
        _ => Err(invalid(c, format!("'{v}' is not true or false"))),
    }
}

fn like_pattern(v: &str) -> String {
    let mut p = String::with_capacity(v.len() + 2);
    p.push('%');
    for ch in v.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

impl Sql {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }
    fn param(&mut self, v: impl Into<SqlValue>) {
        self.params.push(v.into());
        self.text.push('?');
    }
}

/// A scalar value of the column's type, for =, <, in, between.
fn scalar(c: &Column, v: &str) -> Result<SqlValue> {
    Ok(match c.kind {
        ColumnKind::Integer => SqlValue::Integer(int_value(c, v)?),
        ColumnKind::Bool => SqlValue::Integer(bool_value(c, v)?),
        ColumnKind::Status => SqlValue::Text(
            normalise_status(v)
                .ok_or_else(|| {
                    invalid(
                        c,
                        format!("unknown status '{v}'; use success, failed or pending"),
                    )
                })?
                .to_owned(),
        ),
        ColumnKind::Date => SqlValue::Text(
            time::parse_date(v)
                .ok_or_else(|| invalid(c, format!("'{v}' is not a date (YYYY-MM-DD)")))?,
        ),
        ColumnKind::Text => SqlValue::Text(v.to_owned()),
        ColumnKind::Time | ColumnKind::Json => unreachable!("handled by the caller"),
    })
}

/// Appends the SQL of one filter (a parenthesised boolean expression) to `sql`.
pub fn compile(f: &Filter, sql: &mut Sql) -> Result<()> {
    let c = column(&f.column)?;
    if !Op::for_kind(c.kind).contains(&f.op) {
        return Err(invalid(
            c,
            format!(
                "operator '{}' does not apply to {} columns",
                f.op.symbol(),
                c.kind.as_str()
            ),
        ));
    }
    let arity_ok = match f.op {
        Op::IsEmpty | Op::IsNotEmpty => f.values.is_empty(),
        Op::In => !f.values.is_empty(),
        Op::Between => f.values.len() == 2,
        _ => f.values.len() == 1,
    };
    if !arity_ok {
        return Err(invalid(
            c,
            format!(
                "operator '{}' got {} value(s)",
                f.op.symbol(),
                f.values.len()
            ),
        ));
    }
    // Positive conditions on the product identity are answered from the (small) products
    // dictionary and its index, not by scanning every entry.
    if through_products(c, f.op) {
        sql.push("e.product_id IN (SELECT id FROM products WHERE ");
        compile_on(
            f,
            c,
            PRODUCT_EXPRS
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or("NULL", |(_, e)| e),
            sql,
        )?;
        sql.push(")");
        return Ok(());
    }
    compile_on(f, c, columns::sql_expr(c), sql)?;
    // Unsuccessful entries have a partial index, but SQLite uses it only when the query states
    // the index's own condition: say it whenever the filter implies it.
    let only_unsuccessful = c.id == "status"
        && matches!(f.op, Op::Eq | Op::In)
        && f.values
            .iter()
            .all(|v| normalise_status(v).is_some_and(|s| s != "success"));
    if only_unsuccessful {
        sql.push(" AND e.status <> 'success'");
    }
    Ok(())
}

fn through_products(c: &Column, op: Op) -> bool {
    columns::PRODUCT_COLUMNS.contains(&c.id)
        && matches!(
            op,
            Op::Eq | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Contains | Op::In | Op::Between
        )
}

/// Whether the filter's SQL is a subquery of the products table (`e.product_id IN (…)`), which
/// SQLite answers through the products' index.
pub fn on_products_index(f: &Filter) -> bool {
    columns::find(&f.column).is_some_and(|c| through_products(c, f.op))
}

/// Whether the filter's SQL reads the products join (`pr`) rather than a subquery.
pub fn needs_product_join(f: &Filter) -> bool {
    columns::find(&f.column)
        .is_some_and(|c| columns::PRODUCT_COLUMNS.contains(&c.id) && !through_products(c, f.op))
}

const PRODUCT_EXPRS: [(&str, &str); 4] = [
    ("sku", "products.sku"),
    ("channel_sku", "products.channel_sku"),
    ("gtin", "products.gtin"),
    ("product_name", "products.product_name"),
];

fn compile_on(f: &Filter, c: &Column, e: &str, sql: &mut Sql) -> Result<()> {
    let v0 = f.values.first().map(String::as_str).unwrap_or("");
    sql.push("(");
    match (c.kind, f.op) {
        (_, Op::IsEmpty) => {
            sql.push(e);
            sql.push(" IS NULL");
            if matches!(
                c.kind,
                ColumnKind::Text | ColumnKind::Date | ColumnKind::Json
            ) {
                sql.push(" OR ");
                sql.push(e);
                sql.push(" = ''");
            }
        }
        (_, Op::IsNotEmpty) => {
            sql.push(e);
            sql.push(" IS NOT NULL");
            if matches!(
                c.kind,
                ColumnKind::Text | ColumnKind::Date | ColumnKind::Json
            ) {
                sql.push(" AND ");
                sql.push(e);
                sql.push(" <> ''");
            }
        }
        (_, Op::Contains | Op::NotContains) => {
            let negate = f.op == Op::NotContains;
            if negate {
                sql.push(e);
                sql.push(" IS NULL OR ");
            }
            if c.kind == ColumnKind::Integer {
                sql.push("CAST(");
                sql.push(e);
                sql.push(" AS TEXT)");
            } else {
                sql.push(e);
            }
            sql.push(if negate { " NOT LIKE " } else { " LIKE " });
            sql.param(like_pattern(v0));
            sql.push(" ESCAPE '\\'");
        }
        (ColumnKind::Time, op) => compile_time(c, e, op, &f.values, sql)?,
        (_, Op::In) => {
            sql.push(e);
            sql.push(" IN (");
            for (i, v) in f.values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.param(scalar(c, v)?);
            }
            sql.push(")");
        }
        (_, Op::Between) => {
            sql.push(e);
            sql.push(" BETWEEN ");
            sql.param(scalar(c, v0)?);
            sql.push(" AND ");
            sql.param(scalar(c, &f.values[1])?);
        }
        (_, op) => {
            let v = scalar(c, v0)?;
            if op == Op::Ne {
                sql.push(e);
                sql.push(" IS NULL OR ");
            }
            sql.push(e);
            sql.push(match op {
                Op::Eq => " = ",
                Op::Ne => " <> ",
                Op::Lt => " < ",
                Op::Le => " <= ",
                Op::Gt => " > ",
                Op::Ge => " >= ",
                _ => unreachable!("the remaining operators are comparisons"),
            });
            sql.param(v);
        }
    }
    sql.push(")");
    Ok(())
}

fn compile_time(c: &Column, e: &str, op: Op, values: &[String], sql: &mut Sql) -> Result<()> {
    let range = |sql: &mut Sql, lo: i64, hi: i64| {
        sql.push(e);
        sql.push(" >= ");
        sql.param(lo);
        sql.push(" AND ");
        sql.push(e);
        sql.push(" < ");
        sql.param(hi);
    };
    match op {
        Op::In => {
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                let (lo, hi) = time_range(c, v)?;
                sql.push("(");
                range(sql, lo, hi);
                sql.push(")");
            }
        }
        Op::Between => {
            let (lo, _) = time_range(c, &values[0])?;
            let (_, hi) = time_range(c, &values[1])?;
            range(sql, lo, hi);
        }
        Op::Eq => {
            let (lo, hi) = time_range(c, &values[0])?;
            range(sql, lo, hi);
        }
        Op::Ne => {
            let (lo, hi) = time_range(c, &values[0])?;
            sql.push(e);
            sql.push(" IS NULL OR ");
            sql.push(e);
            sql.push(" < ");
            sql.param(lo);
            sql.push(" OR ");
            sql.push(e);
            sql.push(" >= ");
            sql.param(hi);
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let (lo, hi) = time_range(c, &values[0])?;
            let (sym, bound) = match op {
                Op::Lt => (" < ", lo),
                Op::Le => (" < ", hi),
                Op::Gt => (" >= ", hi),
                _ => (" >= ", lo),
            };
            sql.push(e);
            sql.push(sym);
            sql.param(bound);
        }
        _ => unreachable!("checked against Op::for_kind"),
    }
    Ok(())
}

/// The instants a filter on a time column that is never empty (`occurred_at`) keeps: sorted,
/// disjoint, half-open ranges, the set [`compile`] states in SQL.
pub fn time_set(f: &Filter) -> Result<Vec<(i64, i64)>> {
    let c = column(&f.column)?;
    if c.kind != ColumnKind::Time {
        return Err(invalid(c, "is not a time"));
    }
    // The same checks of operator and values as the SQL gets.
    compile(f, &mut Sql::default())?;
    let (min, max) = (i64::MIN, i64::MAX);
    let first = || time_range(c, &f.values[0]);
    let ranges = match f.op {
        Op::In => f
            .values
            .iter()
            .map(|v| time_range(c, v))
            .collect::<Result<Vec<_>>>()?,
        Op::Between => vec![(first()?.0, time_range(c, &f.values[1])?.1)],
        Op::Eq => vec![first()?],
        Op::Ne => {
            let (lo, hi) = first()?;
            vec![(min, lo), (hi, max)]
        }
        Op::Lt => vec![(min, first()?.0)],
        Op::Le => vec![(min, first()?.1)],
        Op::Gt => vec![(first()?.1, max)],
        Op::Ge => vec![(first()?.0, max)],
        Op::IsEmpty => Vec::new(),
        _ => vec![(min, max)],
    };
    Ok(normalise(ranges))
}

/// Ranges sorted by start, empty ones dropped, overlapping and touching ones joined.
pub fn normalise(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.retain(|(lo, hi)| lo < hi);
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(f: &Filter) -> (String, Vec<SqlValue>) {
        let mut s = Sql::default();
        compile(f, &mut s).unwrap();
        (s.text, s.params)
    }

    #[test]
    fn parses_cli_expressions() {
        assert_eq!(
            Filter::parse("status = failed").unwrap(),
            Filter::new("status", Op::Eq, &["failed"])
        );
        assert_eq!(
            Filter::parse("sku~00017").unwrap(),
            Filter::new("sku", Op::Contains, &["00017"])
        );
        assert_eq!(
            Filter::parse("product_name !~ kurta blue ").unwrap(),
            Filter::new("product_name", Op::NotContains, &["kurta blue"])
        );
        assert_eq!(
            Filter::parse("occurred_at >= 2025-03-01").unwrap(),
            Filter::new("occurred_at", Op::Ge, &["2025-03-01"])
        );
        assert_eq!(Filter::parse("error =").unwrap().op, Op::IsEmpty);
        assert!(Filter::parse("status ?? x").is_err());
        assert!(Filter::parse("= x").is_err());
    }

    #[test]
    fn unknown_column_suggests() {
        let mut s = Sql::default();
        let e = compile(&Filter::new("stauts", Op::Eq, &["failed"]), &mut s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown column 'stauts'; did you mean 'status'?"
        );
    }

    #[test]
    fn values_are_parameters() {
        let (text, params) = sql_of(&Filter::new("sku", Op::Contains, &["50%_off'; DROP"]));
        assert_eq!(
            text,
            "e.product_id IN (SELECT id FROM products WHERE (products.sku LIKE ? ESCAPE '\\'))"
        );
        assert_eq!(params, vec![SqlValue::Text("%50\\%\\_off'; DROP%".into())]);
    }

    #[test]
    fn dates_name_whole_days() {
        let (text, params) = sql_of(&Filter::new("occurred_at", Op::Le, &["2025-03-01"]));
        assert_eq!(text, "(e.occurred_at < ?)");
        let day_end = time::parse_instant("2025-03-02").unwrap();
        assert_eq!(params, vec![SqlValue::Integer(day_end)]);
        let (_, params) = sql_of(&Filter::new(
            "occurred_at",
            Op::Between,
            &["2025-03-01", "2025-03-01"],
        ));
        assert_eq!(params.len(), 2);
        assert_eq!(params[1], SqlValue::Integer(day_end));
    }

    #[test]
    fn types_are_checked() {
        let mut s = Sql::default();
        assert!(compile(&Filter::new("quantity", Op::Eq, &["twelve"]), &mut s).is_err());
        assert!(compile(&Filter::new("status", Op::Eq, &["bogus"]), &mut s).is_err());
        assert!(compile(&Filter::new("resolved", Op::Lt, &["true"]), &mut s).is_err());
        assert!(compile(&Filter::new("request", Op::Eq, &["x"]), &mut s).is_err());
        assert!(compile(&Filter::new("sku", Op::Between, &["a"]), &mut s).is_err());
        let (_, p) = sql_of(&Filter::new("status", Op::Eq, &["Error"]));
        assert_eq!(p, vec![SqlValue::Text("failed".into())]);
    }
}
