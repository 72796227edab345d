//! Query -> rows: filters, keyword search, multi-column sort with keyset pagination, totals
//! and facets, over the column registry.

pub mod anchors;
pub mod columnar;
pub mod filter;
pub mod kit_scope;
pub mod reach;
pub mod search;
pub mod shards;
pub mod timeline;
mod value_counts;
mod walk;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::columns::{self, Column, ColumnKind};
use crate::error::{CoreError, Result};
use crate::redaction;
use crate::store::Store;
use crate::time;
pub use filter::{Filter, Op, Sql};
pub use kit_scope::KitScope;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SortKey {
    pub column: String,
    #[serde(default)]
    pub desc: bool,
}

impl SortKey {
    /// `COL` or `COL:desc` / `COL:asc`.
    pub fn parse(s: &str) -> Result<SortKey> {
        let (col, dir) = s.split_once(':').unwrap_or((s, "asc"));
        let desc = match dir.trim().to_ascii_lowercase().as_str() {
            "asc" => false,
            "desc" => true,
            other => {
                return Err(CoreError::InvalidQuery(format!(
                    "sort direction '{other}' must be asc or desc"
                )))
            }
        };
        Ok(SortKey {
            column: col.trim().to_ascii_lowercase(),
            desc,
        })
    }
}

fn default_limit() -> u32 {
    100
}

/// What the table (or an export) shows: which rows, in which order, with which columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ViewSpec {
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub search: Option<String>,
    /// Empty means newest first.
    #[serde(default)]
    pub sort: Vec<SortKey>,
    /// Empty means the registry's default columns.
    #[serde(default)]
    pub columns: Vec<String>,
    /// A kit log: only the kit's and its components' entries, oldest first unless sorted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kit: Option<KitScope>,
}

impl ViewSpec {
    /// Whether the view holds fewer than all entries: a filter, keywords or a kit narrow it.
    pub fn is_narrowed(&self) -> bool {
        !self.filters.is_empty()
            || self.search.as_deref().is_some_and(|s| !s.trim().is_empty())
            || self.kit.is_some()
    }

    /// Whether the view's rows are in time order alone (Some(true): newest first), each
    /// instant's entries by id in the same direction: then a row's place can be found by
    /// counting entries per time (the summary's slots) up to it.
    pub fn time_order(&self) -> Option<bool> {
        if self.kit.is_some() {
            return None;
        }
        let keys: Vec<(&str, bool)> = self
            .sort
            .iter()
            .map(|k| filter::column(&k.column).map(|c| (c.id, k.desc)))
            .collect::<Result<_>>()
            .ok()?;
        match keys.as_slice() {
            [] => Some(true),
            [("occurred_at", d)] => Some(*d),
            [("occurred_at", d), ("id", e)] if d == e => Some(*d),
            _ => None,
        }
    }
}

/// The sort keys to seek after, in a view in time order (`ViewSpec::time_order`), for its
/// rows from a slot's edge `at` on: oldest first, those at `at` or later; newest first, those
/// before `at` (the edge ends the slot before). Every id is above i64::MIN, so oldest first
/// each entry at `at` sorts after these keys, and newest first before them.
pub fn keys_at_instant(at: i64) -> Vec<Value> {
    vec![Value::from(at), Value::from(i64::MIN)]
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct QueryRequest {
    #[serde(flatten)]
    pub view: ViewSpec,
    #[serde(default = "default_limit")]
    pub limit: u32,
    #[serde(default)]
    pub offset: u64,
    /// Keyset cursor: `next_cursor` of the previous page. Fast at any depth.
    #[serde(default)]
    pub after: Option<Vec<Value>>,
    #[serde(default = "yes")]
    pub with_total: bool,
    #[serde(default)]
    pub reveal_secrets: bool,
}

fn yes() -> bool {
    true
}

impl Default for QueryRequest {
    fn default() -> Self {
        QueryRequest {
            view: ViewSpec::default(),
            limit: default_limit(),
            offset: 0,
            after: None,
            with_total: true,
            reveal_secrets: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct QueryResponse {
    /// Rows in the whole view, whatever the page size.
    pub total: Option<u64>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// The entry id of each row, for commands that name entries (detail, resolve, re-run).
    pub ids: Vec<i64>,
    /// Pass as `after` to get the next page; None on the last page.
    pub next_cursor: Option<Vec<Value>>,
}

/// A view compiled to SQL pieces.
struct Plan {
    columns: Vec<&'static Column>,
    sort: Vec<(&'static Column, bool)>,
    /// Joins that filtering and sorting need, and those that showing the columns needs.
    find_joins: Joins,
    show_joins: Joins,
    where_: Sql,
}

/// The optional joins of `entries e`: each costs a lookup per row scanned, and SQLite does not
/// drop an unused one, so a query names only those it reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Joins {
    products: bool,
    payloads: bool,
}

impl Joins {
    fn of_columns<'a>(cols: impl IntoIterator<Item = &'a Column>) -> Joins {
        cols.into_iter().fold(Joins::default(), |j, c| Joins {
            products: j.products || columns::PRODUCT_COLUMNS.contains(&c.id),
            payloads: j.payloads || columns::in_payloads(c),
        })
    }

    fn of_filters(filters: &[Filter]) -> Joins {
        Joins {
            products: filters.iter().any(filter::needs_product_join),
            payloads: filters
                .iter()
                .any(|f| columns::find(&f.column).is_some_and(columns::in_payloads)),
        }
    }

    fn and(self, o: Joins) -> Joins {
        Joins {
            products: self.products || o.products,
            payloads: self.payloads || o.payloads,
        }
    }

    fn from(self) -> String {
        let mut f = String::from("entries e");
        if self.products {
            f.push_str(" LEFT JOIN products pr ON pr.id = e.product_id");
        }
        if self.payloads {
            f.push_str(" LEFT JOIN payloads p ON p.entry_id = e.id");
        }
        f
    }
}

/// `entries e` with the joins `filters` need, and the products join when `products`.
pub(crate) fn from_for(filters: &[Filter], products: bool) -> String {
    Joins::of_filters(filters)
        .and(Joins {
            products,
            payloads: false,
        })
        .from()
}

fn resolve_columns(ids: &[String], kit: Option<&KitScope>) -> Result<Vec<&'static Column>> {
    if ids.is_empty() {
        let first = columns::kit_log_columns().filter(|_| kit.is_some());
        return Ok(first
            .chain(columns::COLUMNS.iter().filter(|c| c.default_visible))
            .collect());
    }
    ids.iter()
        .map(|id| {
            let c = filter::column(id)?;
            kit_scope::check_column(c, kit)?;
            Ok(c)
        })
        .collect()
}

/// WHERE clause (without the keyword) for filters, search and kit scope; "1" when there are
/// none.
pub fn where_clause(
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
) -> Result<Sql> {
    let mut sql = Sql::default();
    if let Some(scope) = kit {
        kit_scope::compile(scope, &mut sql);
    }
    for f in filters {
        kit_scope::check_column(filter::column(&f.column)?, kit)?;
        if !sql.text.is_empty() {
            sql.text.push_str(" AND ");
        }
        filter::compile(f, &mut sql)?;
    }
    if let Some(text) = search.map(str::trim).filter(|s| !s.is_empty()) {
        if !sql.text.is_empty() {
            sql.text.push_str(" AND ");
        }
        match search::match_expression(text) {
            Some(m) => {
                sql.text.push_str(
                    "(e.product_id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?) \
                     OR e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?))",
                );
                sql.params.push(SqlValue::Text(m.clone()));
                sql.params.push(SqlValue::Text(m));
            }
            // Punctuation only: nothing the index can look up, so nothing matches.
            None => sql.text.push('0'),
        }
    }
    if sql.text.is_empty() {
        sql.text.push('1');
    }
    Ok(sql)
}

impl Plan {
    /// The SQL of each sort key, in order.
    fn sort_exprs(&self) -> Vec<&'static str> {
        self.sort
            .iter()
            .map(|(c, _)| columns::sql_expr(c))
            .collect()
    }
}

/// The view's plan, in its order or backwards (every key's direction flipped, which also
/// reverses where NULLs sort: first ascending, last descending), narrowed to the rows after
/// the row whose sort keys are `after`.
fn plan_after(view: &ViewSpec, after: Option<&[Value]>, backwards: bool) -> Result<Plan> {
    let mut plan = plan(view)?;
    if backwards {
        for (_, desc) in &mut plan.sort {
            *desc = !*desc;
        }
    }
    if let Some(after) = after {
        keyset(&plan.sort, after, &mut plan.where_)?;
    }
    Ok(plan)
}

fn plan(view: &ViewSpec) -> Result<Plan> {
    let kit = view.kit.as_ref();
    let columns = resolve_columns(&view.columns, kit)?;
    let mut sort = Vec::new();
    for k in &view.sort {
        let c = filter::column(&k.column)?;
        kit_scope::check_column(c, kit)?;
        if c.kind == ColumnKind::Json {
            return Err(CoreError::InvalidQuery(format!(
                "column '{}' cannot be sorted",
                c.id
            )));
        }
        if !sort.iter().any(|(s, _): &(&Column, bool)| s.id == c.id) {
            sort.push((c, k.desc));
        }
    }
    if sort.is_empty() {
        // A log reads newest first; a kit log is a story, read from its start.
        sort.push((filter::column("occurred_at")?, kit.is_none()));
    }
    // The entry id breaks ties, in the direction of the first key, so order is total.
    if !sort.iter().any(|(c, _)| c.id == "id") {
        let first_desc = sort[0].1;
        sort.push((filter::column("id")?, first_desc));
    }
    let where_ = where_clause(&view.filters, view.search.as_deref(), kit)?;
    let find_joins =
        Joins::of_filters(&view.filters).and(Joins::of_columns(sort.iter().map(|(c, _)| *c)));
    let show_joins = Joins::of_columns(columns.iter().copied());
    Ok(Plan {
        columns,
        sort,
        find_joins,
        show_joins,
        where_,
    })
}

/// The keyset condition "strictly after the row whose sort keys are `after`", NULL-aware
/// (SQLite sorts NULLs first ascending, last descending).
fn keyset(sort: &[(&'static Column, bool)], after: &[Value], sql: &mut Sql) -> Result<()> {
    if after.len() != sort.len() {
        return Err(CoreError::InvalidQuery(
            "the cursor does not belong to this sort order".into(),
        ));
    }
    let values: Vec<SqlValue> = after
        .iter()
        .map(|v| match v {
            Value::Null => Ok(SqlValue::Null),
            Value::Number(n) if n.is_i64() => Ok(SqlValue::Integer(n.as_i64().unwrap_or_default())),
            Value::String(s) => Ok(SqlValue::Text(s.clone())),
            _ => Err(CoreError::InvalidQuery("malformed cursor".into())),
        })
        .collect::<Result<_>>()?;
    let same_dir = sort.iter().all(|(_, d)| *d == sort[0].1);
    let all_set = sort
        .iter()
        .zip(&values)
        .all(|((c, _), v)| columns::not_null(c) && *v != SqlValue::Null);
    if same_dir && all_set {
        // Row-value comparison: SQLite turns it into an index range scan.
        let exprs: Vec<&str> = sort.iter().map(|(c, _)| columns::sql_expr(c)).collect();
        sql.text.push_str(&format!(
            " AND ({}) {} (",
            exprs.join(", "),
            if sort[0].1 { "<" } else { ">" }
        ));
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                sql.text.push_str(", ");
            }
            sql.text.push('?');
            sql.params.push(v);
        }
        sql.text.push(')');
        return Ok(());
    }
    let mut text = String::new();
    let mut params = Vec::new();
    let mut closers = 0;
    for (i, ((c, desc), v)) in sort.iter().zip(values).enumerate() {
        let e = columns::sql_expr(c);
        let last = i + 1 == sort.len();
        let after_cond = match (&v, desc) {
            (SqlValue::Null, false) => format!("{e} IS NOT NULL"),
            (SqlValue::Null, true) => "0".to_owned(),
            (_, false) => format!("{e} > ?"),
            (_, true) => format!("({e} < ? OR {e} IS NULL)"),
        };
        text.push('(');
        text.push_str(&after_cond);
        if v != SqlValue::Null {
            params.push(v.clone());
        }
        if last {
            text.push(')');
        } else {
            match v {
                SqlValue::Null => text.push_str(&format!(" OR ({e} IS NULL AND ")),
                v => {
                    text.push_str(&format!(" OR ({e} = ? AND "));
                    params.push(v);
                }
            }
            closers += 2;
        }
    }
    text.push_str(&")".repeat(closers));
    sql.text.push_str(" AND ");
    sql.text.push_str(&text);
    sql.params.extend(params);
    Ok(())
}

/// `hide_index`: a unary `+` keeps SQLite from walking an index in sort order (see `run`).
fn order_by(sort: &[(&'static Column, bool)], hide_index: bool) -> String {
    sort.iter()
        .map(|(c, desc)| {
            format!(
                "{}{} {}",
                if hide_index { "+" } else { "" },
                columns::sql_expr(c),
                if *desc { "DESC" } else { "ASC" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every row of a view in its order, in one statement (an export reads the view start to end
/// once; paging would pay the find step again per page). `each` gets the view's columns and
/// the row, whose values are the stored ones (times as epoch milliseconds), and may stop the
/// walk by returning an error.
pub fn for_each_row(
    conn: &Connection,
    view: &ViewSpec,
    mut each: impl FnMut(&[&'static Column], &rusqlite::Row<'_>) -> Result<()>,
) -> Result<()> {
    let plan = plan(view)?;
    let select: Vec<&str> = plan.columns.iter().map(|c| columns::sql_expr(c)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {}",
        select.join(", "),
        plan.find_joins.and(plan.show_joins).from(),
        plan.where_.text,
        order_by(&plan.sort, false)
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(plan.where_.params.iter()))?;
    while let Some(r) = rows.next()? {
        each(&plan.columns, r)?;
    }
    Ok(())
}

/// The columns a view shows, in order.
pub fn view_columns(view: &ViewSpec) -> Result<Vec<&'static Column>> {
    resolve_columns(&view.columns, view.kit.as_ref())
}

/// The most rows one page may hold.
pub const MAX_PAGE_ROWS: u32 = 100_000;

/// Pages deeper than this always walk the index.
const MAX_BUDGETED_OFFSET: u64 = 10_000;

/// How long a page may walk the time index before the walk is weighed against the
/// scan-and-sort plan (walk.rs).
const INDEX_ORDER_BUDGET: std::time::Duration = std::time::Duration::from_millis(15);

/// A stored value as the outside world sees it.
pub fn present(c: &Column, v: ValueRef<'_>, reveal: bool) -> Value {
    match (c.kind, v) {
        (_, ValueRef::Null) => Value::Null,
        (ColumnKind::Time, ValueRef::Integer(ms)) => Value::String(time::format_instant(ms)),
        (ColumnKind::Bool, ValueRef::Integer(b)) => Value::Bool(b != 0),
        (ColumnKind::Json, ValueRef::Text(t)) => {
            let mut doc = serde_json::from_slice(t)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(t).into_owned()));
            if !reveal {
                redaction::redact(&mut doc);
            }
            doc
        }
        (_, ValueRef::Integer(i)) => Value::from(i),
        (_, ValueRef::Real(f)) => Value::from(f),
        (_, ValueRef::Text(t)) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (_, ValueRef::Blob(b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
    }
}

fn raw_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Value::String(String::from_utf8_lossy(t).into_owned())
        }
    }
}

pub fn count(
    conn: &Connection,
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
) -> Result<u64> {
    let hide = reach::count_scans(conn, filters, search, kit)?;
    let (sql, params) = count_statement(filters, search, kit, false, hide)?;
    count_by(conn, &sql, params)
}

/// The same, split across `stores` when it scans every entry (`shards`): a share per core.
pub fn count_on(
    stores: &mut [&mut Store],
    view: &ViewSpec,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<u64> {
    let (filters, search, kit) = (&view.filters, view.search.as_deref(), view.kit.as_ref());
    let hide = match stores.first() {
        Some(first) => reach::count_scans(first.conn(), filters, search, kit)?,
        None => false,
    };
    let (whole, params) = count_statement(filters, search, kit, false, hide)?;
    let (ranged, _) = count_statement(filters, search, kit, true, hide)?;
    // The whole store is counted from its b-trees' page headers, faster than any split scan.
    let everything = where_clause(filters, search, kit)?.text == "1";
    let stores = match everything {
        true => first_alone(stores),
        false => split_if_scanned(stores, &whole, &params)?,
    };
    let parts = shards::read(stores, busy, |conn, ids| match ids {
        None => count_by(conn, &whole, params.clone()),
        Some((lo, hi)) => count_by(conn, &ranged, with_range(&params, lo, hi)),
    })?;
    Ok(parts.into_iter().sum())
}

/// All of `stores` when SQLite answers `sql` by scanning every entry, else the first alone.
pub(crate) fn split_if_scanned<'a, 's>(
    stores: &'a mut [&'s mut Store],
    sql: &str,
    params: &[SqlValue],
) -> Result<&'a mut [&'s mut Store]> {
    let split = match stores.first() {
        Some(first) if stores.len() > 1 => shards::scans_entries(first.conn(), sql, params)?,
        _ => false,
    };
    Ok(match split {
        true => stores,
        false => first_alone(stores),
    })
}

fn first_alone<'a, 's>(stores: &'a mut [&'s mut Store]) -> &'a mut [&'s mut Store] {
    let n = stores.len().min(1);
    &mut stores[..n]
}

fn with_range(params: &[SqlValue], lo: i64, hi: i64) -> Vec<SqlValue> {
    let mut all = params.to_vec();
    all.extend([SqlValue::Integer(lo), SqlValue::Integer(hi)]);
    all
}

/// `SELECT count(*)` of a view, within an id range (its last two parameters) when `ranged`;
/// kept from the products' index when `scan` (`reach::count_scans`).
fn count_statement(
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    ranged: bool,
    scan: bool,
) -> Result<(String, Vec<SqlValue>)> {
    let mut where_ = where_clause(filters, search, kit)?;
    if scan {
        where_.text = reach::without_products_index(&where_.text);
    }
    let from = Joins::of_filters(filters).from();
    // No WHERE at all for the whole store: SQLite then counts each b-tree page's cells
    // instead of stepping through 10M rows (0.02 s against 0.3 s), which `WHERE 1` prevents.
    let sql = match (where_.text == "1", ranged) {
        (true, false) => format!("SELECT count(*) FROM {from}"),
        (true, true) => format!("SELECT count(*) FROM {from} WHERE e.id BETWEEN ? AND ?"),
        (false, false) => format!("SELECT count(*) FROM {from} WHERE {}", where_.text),
        (false, true) => format!(
            "SELECT count(*) FROM {from} WHERE ({}) AND e.id BETWEEN ? AND ?",
            where_.text
        ),
    };
    Ok((sql, where_.params))
}

fn count_by(conn: &Connection, sql: &str, params: Vec<SqlValue>) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(sql)?
        .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
    Ok(n as u64)
}

pub fn run(conn: &Connection, req: &QueryRequest) -> Result<QueryResponse> {
    run_with_budget(conn, req, INDEX_ORDER_BUDGET)
}

/// A page after a keyset anchor (`query::anchors`), which bounds how far the index walk goes:
/// it walks the index in the view's order at once, where [`run`] would try it on a budget and
/// fall back to sorting every row after the anchor. `from_end`: the page that ends
/// `req.offset` rows after `req.after`, counted from the view's end (an index is walked as fast
/// backwards); its rows still come in the view's order, and `next_cursor` is then None.
pub fn run_anchored(
    conn: &Connection,
    req: &QueryRequest,
    from_end: bool,
) -> Result<QueryResponse> {
    let page = run_ordered(conn, req, None, from_end)?;
    Ok(if from_end { in_view_order(page) } else { page })
}

/// The page of a view in time order (`ViewSpec::time_order`) whose rows are `rows`, (time,
/// id) in the view's order, found apart (`columnar::Columns::rows_in_time`): only their
/// columns are read. Asked for no total.
pub fn run_rows(
    conn: &Connection,
    req: &QueryRequest,
    rows: &[(i64, i64)],
) -> Result<QueryResponse> {
    let plan = plan_after(&req.view, None, false)?;
    page_limit(req)?;
    let ids: Vec<i64> = rows.iter().map(|&(_, id)| id).collect();
    let (ids, shown) = show_rows(conn, &plan, &ids, req.reveal_secrets)?;
    let full_page = rows.len() == req.limit as usize;
    Ok(QueryResponse {
        total: None,
        columns: plan.columns.iter().map(|c| c.id.to_owned()).collect(),
        rows: shown,
        ids,
        next_cursor: match rows.last() {
            Some(&(at, id)) if full_page => Some(vec![Value::from(at), Value::from(id)]),
            _ => None,
        },
    })
}

/// The page that ends `req.offset` rows before the view's end, read as [`run`] reads an early
/// page (the time-index walk on its budget, or the scan-and-sort plan), walking from the end;
/// its rows still come in the view's order, and `next_cursor` is then None. The last pages of
/// a view need neither its anchors nor where its rows are in time.
pub fn run_from_end(conn: &Connection, req: &QueryRequest) -> Result<QueryResponse> {
    run_ordered(conn, req, Some(INDEX_ORDER_BUDGET), true).map(in_view_order)
}

/// A page read backwards, in the view's order again; no cursor leads on from it.
fn in_view_order(mut page: QueryResponse) -> QueryResponse {
    page.ids.reverse();
    page.rows.reverse();
    page.next_cursor = None;
    page
}

/// [`run`] with the time-index walk's budget chosen by the caller (tests force the fallback).
#[doc(hidden)]
pub fn run_with_budget(
    conn: &Connection,
    req: &QueryRequest,
    index_order_budget: std::time::Duration,
) -> Result<QueryResponse> {
    run_ordered(conn, req, Some(index_order_budget), false)
}

/// `index_order_budget`: None walks the index in sort order without one.
fn run_ordered(
    conn: &Connection,
    req: &QueryRequest,
    index_order_budget: Option<std::time::Duration>,
    reverse: bool,
) -> Result<QueryResponse> {
    let plan = plan_after(&req.view, req.after.as_deref(), reverse)?;
    let total = if req.with_total {
        Some(count(
            conn,
            &req.view.filters,
            req.view.search.as_deref(),
            req.view.kit.as_ref(),
        )?)
    } else {
        None
    };
    // Step one finds the page's entry ids with only the joins filtering and sorting need, so
    // the rows an OFFSET skips cost no lookups; step two reads the columns of those ids.
    let find_from = plan.find_joins.from();
    let limit = page_limit(req)?;
    let wanted = req.offset + u64::from(limit);
    let sql_from =
        |find_from: &str, hide_index: bool, rows: u64| find_sql(&plan, find_from, hide_index, rows);
    let mut params = plan.where_.params.clone();
    params.push(SqlValue::Integer(req.offset.min(i64::MAX as u64) as i64));
    let page = |hide_index: bool| {
        let sql = sql_from(&find_from, hide_index, u64::from(limit));
        find_page(conn, &sql, &params)
    };
    // Walking the time index yields the newest rows first and stops after one page; the walk
    // is watched and the scan-and-sort plan taken instead if it would be quicker (walk.rs).
    // A deep OFFSET walks the index for a reason (sorting everything would be slower still),
    // and so does a view with nothing to filter, where every row the walk yields is one of the
    // page's (a budget there only trips when the machine is busy, and the sort of everything
    // it falls back to took 0.6-1 s a page on 2M rows).
    let (ids, last_keys) = match index_order_budget {
        Some(budget)
            if req.view.is_narrowed()
                && plan.sort[0].0.id == "occurred_at"
                && req.offset <= MAX_BUDGETED_OFFSET =>
        {
            let entries: i64 = conn
                .prepare_cached("SELECT coalesce(max(id), 0) FROM entries")?
                .query_row([], |r| r.get(0))?;
            let entries = u64::try_from(entries).unwrap_or(0);
            // Keywords or a product's filter matching many products: SQLite would read every
            // entry of them through the products' index and sort them all; the time index is
            // walked instead (`reach`).
            let bar = reach::walk_pays_from(wanted, entries);
            let (filters, search) = (&req.view.filters, req.view.search.as_deref());
            let walk = match req.view.kit.is_none() && reach::reaches(conn, filters, search, bar)? {
                true => sql_from(
                    &find_from.replacen("entries e", "entries e INDEXED BY entries_by_time", 1),
                    false,
                    wanted,
                ),
                false => sql_from(&find_from, false, wanted),
            };
            match walk::walked_page(conn, &walk, &params, req.offset, limit, budget, entries)? {
                Some(walked) => walked,
                None => page(true)?,
            }
        }
        _ => page(false)?,
    };
    let full_page = ids.len() as u32 == limit;
    let (ids, rows) = show_rows(conn, &plan, &ids, req.reveal_secrets)?;
    let next_cursor = if full_page { last_keys } else { None };
    Ok(QueryResponse {
        total,
        columns: plan.columns.iter().map(|c| c.id.to_owned()).collect(),
        rows,
        ids,
        next_cursor,
    })
}

/// Step one of a page: the ids and sort keys of the plan's first `rows` rows from `find_from`,
/// past the offset bound last. The row count is written in, not bound: SQLite plans a LIMIT by
/// its value, so a bound one had each run prepare the statement again (a third of the time of
/// a first page of all entries). A page has few sizes; the offset, which varies, stays bound.
fn find_sql(plan: &Plan, find_from: &str, hide_index: bool, rows: u64) -> String {
    format!(
        "SELECT e.id, {} FROM {find_from} WHERE {} ORDER BY {} LIMIT {rows} OFFSET ?",
        plan.sort_exprs().join(", "),
        plan.where_.text,
        order_by(&plan.sort, hide_index)
    )
}

/// The rows a page may hold.
fn page_limit(req: &QueryRequest) -> Result<u32> {
    match (1..=MAX_PAGE_ROWS).contains(&req.limit) {
        true => Ok(req.limit),
        false => Err(CoreError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_PAGE_ROWS}; page through larger views with --offset"
        ))),
    }
}

/// A page's entry ids in order, and the raw sort keys of its last row.
type Page = (Vec<i64>, Option<Vec<Value>>);

fn find_page(conn: &Connection, sql: &str, params: &[SqlValue]) -> Result<Page> {
    walk::step(conn, sql, params, 0, &std::sync::atomic::AtomicU64::new(0))
}

/// The shown columns of the given entries, in the order of `ids`.
fn show_rows(
    conn: &Connection,
    plan: &Plan,
    ids: &[i64],
    reveal: bool,
) -> Result<(Vec<i64>, Vec<Vec<Value>>)> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let select: Vec<&str> = plan.columns.iter().map(|c| columns::sql_expr(c)).collect();
    let sql = format!(
        "SELECT e.id, {} FROM {} WHERE e.id IN (SELECT value FROM json_each(?1))",
        select.join(", "),
        plan.show_joins.from()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let id_list = serde_json::to_string(ids).map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    let mut rows = st.query([id_list])?;
    let mut by_id = std::collections::HashMap::with_capacity(ids.len());
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(plan.columns.len());
        for (i, c) in plan.columns.iter().enumerate() {
            row.push(present(c, r.get_ref(i + 1)?, reveal));
        }
        by_id.insert(r.get::<_, i64>(0)?, row);
    }
    // An entry written between the two steps' reads cannot vanish (entries are never
    // deleted), but keep ids and rows paired whatever happens.
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id).map(|row| (*id, row)))
        .unzip())
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FacetValue {
    pub value: Value,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Facet {
    pub column: String,
    pub values: Vec<FacetValue>,
}

/// Distinct values with counts for each facet column, under the view's filters except those
/// on the facet's own column (so a multi-select still shows the values it could add).
pub fn facets(
    conn: &Connection,
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    ids: &[String],
) -> Result<Vec<Facet>> {
    facet_columns(ids, kit)?
        .into_iter()
        .map(|c| facet(conn, filters, search, kit, c))
        .collect()
}

/// The columns of a facets request: those named, or every facet column of the registry in
/// the filter bar's order.
pub fn facet_columns(ids: &[String], kit: Option<&KitScope>) -> Result<Vec<&'static Column>> {
    if ids.is_empty() {
        let mut facets: Vec<&Column> = columns::COLUMNS.iter().filter(|c| c.facet).collect();
        facets.sort_by_key(|c| c.facet_place);
        return Ok(facets);
    }
    ids.iter()
        .map(|id| {
            let c = filter::column(id)?;
            kit_scope::check_column(c, kit)?;
            if c.kind == ColumnKind::Json {
                return Err(CoreError::InvalidQuery(format!(
                    "column '{id}' has no facets"
                )));
            }
            Ok(c)
        })
        .collect()
}

/// One column's facet over the view's entries, on one connection.
pub fn facet(
    conn: &Connection,
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    c: &'static Column,
) -> Result<Facet> {
    let others = without_own(filters, c);
    if c.facet {
        let read = ValuesRead::new(&others, search, kit, &[c])?;
        let counts = read.count(conn, &read.whole, &read.params)?;
        return Ok(ranked(
            c,
            counts.into_iter().next().unwrap_or_default().into_values(),
        ));
    }
    // Any other column may hold a value per entry: SQLite's sort spills to disk where a hash
    // table of them would not.
    let where_ = where_clause(&others, search, kit)?;
    let e = columns::sql_expr(c);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {e}, count(*) AS n FROM {} WHERE ({}) GROUP BY {e} \
         ORDER BY n DESC, 1 LIMIT {FACET_VALUES}",
        Joins::of_filters(&others)
            .and(Joins::of_columns([c]))
            .from(),
        where_.text
    ))?;
    let values = st
        .query_map(rusqlite::params_from_iter(where_.params.iter()), |r| {
            Ok(FacetValue {
                value: present(c, r.get_ref(0)?, false),
                count: r.get::<_, i64>(1)? as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Facet {
        column: c.id.to_owned(),
        values,
    })
}

/// The most values a facet lists (the commonest).
const FACET_VALUES: usize = 500;

/// A facet's filters: the view's but those on its own column, so that a multi-select still
/// shows the values it could add.
fn without_own(filters: &[Filter], c: &Column) -> Vec<Filter> {
    filters
        .iter()
        .filter(|f| f.column != c.id)
        .cloned()
        .collect()
}

/// The same, split across `stores` when it scans every entry (`shards`) and the column is one
/// of the registry's facets, whose few values each share can count in full.
pub fn facet_on(
    stores: &mut [&mut Store],
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    c: &'static Column,
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Facet> {
    if !c.facet {
        let first = first_alone(stores).first().ok_or(CoreError::Stopped)?;
        return facet(first.conn(), filters, search, kit, c);
    }
    let others = without_own(filters, c);
    let mut one = facets_together(stores, &others, search, kit, &[c], busy)?;
    one.pop().ok_or(CoreError::Stopped)
}

/// Facets of several columns, in their order. The registry's facets on columns the view does
/// not filter all read under the view's own filters, so one read of the entries counts them
/// together (a column more costs a little; a read more, a whole scan); every other column is
/// read as `facet_on` reads it.
pub fn facets_on(
    stores: &mut [&mut Store],
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    columns: &[&'static Column],
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Vec<Facet>> {
    let together: Vec<&'static Column> = columns
        .iter()
        .copied()
        .filter(|c| c.facet && !filters.iter().any(|f| f.column == c.id))
        .collect();
    let mut shared = match together.len() {
        0 | 1 => Vec::new(),
        _ => facets_together(stores, filters, search, kit, &together, busy.clone())?,
    }
    .into_iter();
    columns
        .iter()
        .map(
            |&c| match together.len() > 1 && together.iter().any(|t| t.id == c.id) {
                true => shared.next().ok_or(CoreError::Stopped),
                false => facet_on(stores, filters, search, kit, c, busy.clone()),
            },
        )
        .collect()
}

/// Registry facets counted under `filters` in one read of the entries, split across `stores`
/// when it scans them all.
fn facets_together(
    stores: &mut [&mut Store],
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&KitScope>,
    columns: &[&'static Column],
    busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
) -> Result<Vec<Facet>> {
    let read = ValuesRead::new(filters, search, kit, columns)?;
    let stores = split_if_scanned(stores, &read.whole, &read.params)?;
    let parts = shards::read(stores, busy, |conn, ids| match ids {
        None => read.count(conn, &read.whole, &read.params),
        Some((lo, hi)) => read.count(conn, &read.ranged, &with_range(&read.params, lo, hi)),
    })?;
    let mut all: Vec<value_counts::ValueCounts> =
        columns.iter().map(|_| Default::default()).collect();
    for part in parts {
        all.iter_mut().zip(part).for_each(|(a, p)| a.merge(p));
    }
    Ok(columns
        .iter()
        .zip(all)
        .map(|(c, counts)| ranked(c, counts.into_values()))
        .collect())
}

/// The statements reading columns' values under a view's filters: of every entry, or of an
/// id range (its last two parameters).
struct ValuesRead {
    whole: String,
    ranged: String,
    params: Vec<SqlValue>,
    columns: usize,
}

impl ValuesRead {
    fn new(
        filters: &[Filter],
        search: Option<&str>,
        kit: Option<&KitScope>,
        columns: &[&'static Column],
    ) -> Result<Self> {
        let where_ = where_clause(filters, search, kit)?;
        let exprs: Vec<&str> = columns.iter().map(|c| columns::sql_expr(c)).collect();
        let whole = format!(
            "SELECT {} FROM {} WHERE ({})",
            exprs.join(", "),
            Joins::of_filters(filters)
                .and(Joins::of_columns(columns.iter().copied()))
                .from(),
            where_.text
        );
        Ok(ValuesRead {
            ranged: format!("{whole} AND e.id BETWEEN ? AND ?"),
            whole,
            params: where_.params,
            columns: columns.len(),
        })
    }

    /// Each column's values, counted.
    fn count(
        &self,
        conn: &Connection,
        sql: &str,
        params: &[SqlValue],
    ) -> Result<Vec<value_counts::ValueCounts>> {
        let mut st = conn.prepare_cached(sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut counts: Vec<value_counts::ValueCounts> =
            (0..self.columns).map(|_| Default::default()).collect();
        while let Some(r) = rows.next()? {
            for (i, c) in counts.iter_mut().enumerate() {
                c.add(r.get_ref(i)?);
            }
        }
        Ok(counts)
    }
}

/// A facet of counted values, as SQL would list it: commonest first, ties in SQLite's order
/// of the values, at most FACET_VALUES.
fn ranked(c: &'static Column, mut values: Vec<(SqlValue, u64)>) -> Facet {
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| sqlite_order(&a.0, &b.0)));
    values.truncate(FACET_VALUES);
    Facet {
        column: c.id.to_owned(),
        values: values
            .into_iter()
            .map(|(v, count)| FacetValue {
                value: present(c, ValueRef::from(&v), false),
                count,
            })
            .collect(),
    }
}

/// SQLite's order of values (BINARY collation): NULL, then numbers, then text, then blobs.
fn sqlite_order(a: &SqlValue, b: &SqlValue) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    use SqlValue::{Blob, Integer, Null, Real, Text};
    let class = |v: &SqlValue| match v {
        Null => 0,
        Integer(_) | Real(_) => 1,
        Text(_) => 2,
        Blob(_) => 3,
    };
    match (a, b) {
        (Integer(x), Integer(y)) => x.cmp(y),
        (Integer(x), Real(y)) => (*x as f64).total_cmp(y),
        (Real(x), Integer(y)) => x.total_cmp(&(*y as f64)),
        (Real(x), Real(y)) => x.total_cmp(y),
        (Text(x), Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Blob(x), Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)).then(Ordering::Equal),
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct FacetsRequest {
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub search: Option<String>,
    /// Empty means every facet column of the registry.
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kit: Option<KitScope>,
}

pub fn facets_of(store: &crate::store::Store, req: &FacetsRequest) -> Result<Vec<Facet>> {
    facets(
        store.conn(),
        &req.filters,
        req.search.as_deref(),
        req.kit.as_ref(),
        &req.columns,
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// A page's statement is kept prepared: read again at another offset, SQLite runs it as it
    /// is rather than preparing it afresh (as it did while the row count was bound).
    #[test]
    fn a_page_read_again_reuses_its_prepared_statement() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let mut req = QueryRequest {
            view: ViewSpec::default(),
            offset: 0,
            limit: 50,
            with_total: false,
            ..QueryRequest::default()
        };
        for offset in [0, 50, 100] {
            req.offset = offset;
            run(conn, &req).unwrap();
        }
        let plan = plan_after(&req.view, None, false).unwrap();
        let sql = find_sql(&plan, &plan.find_joins.from(), false, 50);
        let st = conn.prepare_cached(&sql).unwrap();
        // The statement the pages ran, not a new one: its three runs are counted.
        assert_eq!(st.get_status(StatementStatus::Run), 3);
        assert_eq!(st.get_status(StatementStatus::RePrepare), 0);
    }
}
