//! The column registry: every canonical column of `shared/formats/README.md`, with the label the
//! source system shows (Konnect's where it has one), a tooltip drawn from the source docs, the
//! value type and whether the default view shows it. Column ids are the public contract of the
//! CLI, the exports and saved views; nothing outside this file names SQL columns.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Text,
    Integer,
    /// UTC instant, stored as epoch milliseconds.
    Time,
    /// Calendar date `YYYY-MM-DD`.
    Date,
    Bool,
    /// `success | failed | pending`.
    Status,
    /// A JSON document kept in the payloads table (API request/response).
    Json,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Integer => "integer",
            ColumnKind::Time => "time",
            ColumnKind::Date => "date",
            ColumnKind::Bool => "bool",
            ColumnKind::Status => "status",
            ColumnKind::Json => "json",
        }
    }
}

// The UI's `Column` is this plus the sources' own names for it (the app's `ColumnInfo`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(rename = "RegistryColumn")]
pub struct Column {
    pub id: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub kind: ColumnKind,
    pub default_visible: bool,
    /// Offered as a multi-select with counts.
    pub facet: bool,
    /// A facet's place among the filter bar's multi-selects (1 first); 0 when not a facet.
    pub facet_place: u8,
    /// Part of the keyword-search index.
    pub searchable: bool,
    /// The filter operators that fit its type (what "add filter" offers).
    pub ops: &'static [Op],
    /// Only a kit log has it (the component a row belongs to, its running on-hand).
    pub kit_only: bool,
}

const fn col(
    id: &'static str,
    label: &'static str,
    kind: ColumnKind,
    default_visible: bool,
    description: &'static str,
) -> Column {
    Column {
        id,
        label,
        description,
        kind,
        default_visible,
        facet: false,
        facet_place: 0,
        searchable: false,
        ops: Op::for_kind(kind),
        kit_only: false,
    }
}

/// A facet, at `place` in the filter bar (and in `invlog facets`).
const fn facet(place: u8, mut c: Column) -> Column {
    c.facet = true;
    c.facet_place = place;
    c
}

const fn searchable(mut c: Column) -> Column {
    c.searchable = true;
    c
}

const fn kit_only(mut c: Column) -> Column {
    c.kit_only = true;
    c
}

use ColumnKind::*;

/// Registry order is the default column order of the table.
pub static COLUMNS: &[Column] = &[
    col("id", "ID", Integer, false, "Invlog's stable id of this entry, for commands that name an entry."),
    col("occurred_at", "Updated On", Time, true, "When the update happened: the timestamp of the API call or update event (shown in local time, stored in UTC)."),
    col("imported_at", "Imported At", Time, false, "When the source system (Ordoro) or Invlog recorded the entry."),
    facet(2, col("source", "Source", Text, true, "The system the log came from: konnect, ordoro, xoro, logitrail, shiphero or pushlog.")),
    facet(7, col("tab", "Tab", Text, false, "Xoro's log tab: Orders, Inventory, Logs or Errors.")),
    facet(6, col("event_type", "Event Type", Text, true, "What happened: Ordoro's event (order, on_hand, po_received…), Xoro's transaction type, ShipHero's sync action.")),
    col("entity_type", "Entity Type", Text, false, "Xoro's entity type, e.g. SalesOrder."),
    facet(8, col("sync_type", "Sync Type", Text, false, "Xoro: whether the sync ran automatically (Auto) or by hand (Manual).")),
    searchable(col("sku", "Seller Identifier", Text, true, "The core SKU or GTIN code used by the seller (e.g. EAN, UPC).")),
    searchable(col("channel_sku", "Channel Identifier", Text, true, "The product code recognised by the external channel.")),
    searchable(col("gtin", "GTIN", Text, false, "The product's GTIN or EAN.")),
    col("external_id", "External ID", Text, false, "The source system's own id of the product or row."),
    searchable(col("product_name", "Product Name", Text, true, "The product's name as configured in the seller's catalogue.")),
    facet(3, col("channel", "Channel", Text, true, "The channel (e.g. Amazon) where the inventory update is made.")),
    facet(4, col("account", "Account", Text, true, "The specific channel account (e.g. Amazon-Mumbai).")),
    col("cart_type", "Cart Type", Text, false, "Ordoro: the kind of sales channel (cart) involved."),
    col("cart_id", "Cart ID", Text, false, "Ordoro: the sales channel's id."),
    col("cart_name", "Cart Name", Text, false, "Ordoro: the sales channel's name."),
    col("location_name", "Location Name", Text, false, "The store or warehouse name holding the product inventory."),
    facet(5, col("location_code", "Location Code", Text, true, "A unique code assigned to each location (e.g. WH01, STR002).")),
    col("location_type", "Location Type", Text, false, "Whether the location is a warehouse, retail store, mall, etc."),
    col("warehouse_name", "Warehouse", Text, false, "Ordoro: the warehouse whose stock changed."),
    col("warehouse_locations", "Warehouse Locations", Text, false, "Ordoro: bin locations within the warehouse."),
    col("quantity", "Quantity", Integer, false, "Units changed by this event."),
    col("inventory_sent", "Inventory Sent", Integer, true, "The exact quantity pushed to the channel."),
    col("available_on_hand", "Available On Hand", Integer, false, "Ordoro: units available to sell after this event."),
    col("physical_on_hand", "Physical On Hand", Integer, false, "Ordoro: units physically in the warehouse after this event."),
    col("buffer_stock", "Buffer Stock", Integer, false, "The reserve quantity held back during inventory sync: product level, else location level, else account level."),
    col("buffer_level", "Buffer Level", Text, false, "Where the buffer came from: product, location or account."),
    col("committed", "Committed Inventory", Integer, false, "The amount of inventory locked for ongoing or completed orders."),
    col("damaged", "Damaged Inventory", Integer, false, "Units marked as damaged or otherwise unsellable."),
    col("inbound", "Inbound", Integer, false, "Logitrail: items expected to arrive at the warehouse soon."),
    col("in_stock", "In Stock", Integer, false, "Logitrail: items currently in the warehouse."),
    col("available", "Available", Integer, false, "Logitrail: items currently available for new orders."),
    col("reserved", "Reserved", Integer, false, "Logitrail: items in stock but reserved for existing orders."),
    col("on_hold", "On Hold", Integer, false, "Logitrail: items in the warehouse but not available for orders or shipments."),
    col("expected_quantity", "Expected Quantity", Integer, false, "Ordoro: units expected on a purchase order or transfer."),
    col("received_quantity", "Received Quantity", Integer, false, "Ordoro: units received."),
    col("restocked_quantity", "Restocked Quantity", Integer, false, "Ordoro: units restocked from a return."),
    facet(1, col("status", "Status", Status, true, "Whether the update succeeded (success), failed (failed) or is still pending.")),
    searchable(col("error", "Error", Text, false, "The error the source system reported.")),
    col("error_signature", "Error Signature", Text, false, "What went wrong, as one problem: the HTTP status and the error code and message (from the error text or the API response), with numbers, SKUs, ids, quoted values and times taken out. Failures with one signature are one group in Failures."),
    col("resolved", "Resolved", Bool, false, "Whether the entry has been resolved: Xoro's flag, or marked in Invlog. Failed entries start unresolved."),
    searchable(col("batch_id", "Batch ID", Text, false, "Unique identifier of the inventory update API request batch.")),
    col("row", "Row", Integer, false, "ShipHero: the row of the synced CSV file."),
    col("retry_count", "Retry Count", Integer, false, "Number of times the API request has been retried."),
    col("last_retry_at", "Last Retry", Time, false, "Timestamp of the most recent automatic retry."),
    col("last_retry_details", "Last Retry Details", Text, false, "Additional context about the last retry attempt."),
    col("inventory_update_time", "Inventory Update Time", Time, false, "Timestamp when the inventory update was processed."),
    searchable(col("event_id", "Event ID", Text, false, "The source's reference of the event: Ordoro's event id, Xoro's Order Ref#.")),
    col("user_name", "User", Text, false, "Ordoro: the user who made the change."),
    col("sending_warehouse", "Sending Warehouse", Text, false, "Ordoro: the warehouse a transfer left."),
    col("receiving_warehouse", "Receiving Warehouse", Text, false, "Ordoro: the warehouse a transfer reached."),
    col("transfer_notes", "Transfer Notes", Text, false, "Ordoro: notes on the inventory transfer."),
    col("line_notes", "Line Notes", Text, false, "Ordoro: notes on the transfer or purchase order line."),
    searchable(col("reason", "Reason", Text, false, "ShipHero: the reason given for the inventory change.")),
    col("start_at", "Start Date", Time, false, "Xoro: when the sync started."),
    col("end_at", "End Date", Time, false, "Xoro: when the sync ended."),
    col("mfg_date", "Mfg Date", Date, false, "The manufacturing date for the batch of products (if applicable)."),
    col("exp_date", "Exp Date", Date, false, "The expiry date for perishable or time-bound products (if applicable)."),
    col("best_before", "Best Before", Date, false, "Logitrail: the earliest best-before date of the product's lots."),
    col("request", "API Request", Json, false, "The API call's request: method, URL, headers and payload."),
    col("response", "API Response", Json, false, "The API call's response: status, headers and body."),
    col("extra", "Other Columns", Json, false, "Columns of the source file that Invlog has no canonical column for, kept as they were."),
    kit_only(col("component_sku", "Component SKU", Text, false, "Kit logs: the SKU the row belongs to, the kit's own or one of its components'.")),
    kit_only(col("running_on_hand", "Running On Hand", Integer, false, "Kit logs: the component's available on hand after this entry, from its latest entry that reports one.")),
];

/// The entry's product as stored: no column of the table or of the public contract (no filter
/// or view can name it), but what held columns answer keywords and filters on the product's
/// own columns through (`query::columnar`): each is a condition on the product alone.
pub static PRODUCT_ID: Column = col(
    "product_id",
    "Product",
    Integer,
    false,
    "Invlog's id of the entry's product.",
);

/// The columns a kit log shows first, before the view's own: the registry's kit-only ones.
pub fn kit_log_columns() -> impl Iterator<Item = &'static Column> {
    COLUMNS.iter().filter(|c| c.kit_only)
}

/// The SQL expression of a column: entries are aliased `e`, products `pr`, payloads `p`.
pub fn sql_expr(c: &Column) -> &'static str {
    match c.id {
        "request" => "p.request",
        "response" => "p.response",
        "sku" => "pr.sku",
        "channel_sku" => "pr.channel_sku",
        "gtin" => "pr.gtin",
        "product_name" => "pr.product_name",
        "product_id" => "e.product_id",
        "component_sku" => "(SELECT cs.sku FROM products cs WHERE cs.id = e.product_id)",
        // The latest available on hand of the same SKU (any of its product identities) up to
        // this entry, in the log's order: what the stock was after this row.
        "running_on_hand" => {
            "(SELECT r.available_on_hand FROM entries r \
              WHERE r.product_id IN (SELECT rp.id FROM products rp WHERE rp.sku = \
                (SELECT cs.sku FROM products cs WHERE cs.id = e.product_id)) \
              AND r.available_on_hand IS NOT NULL \
              AND (r.occurred_at < e.occurred_at OR (r.occurred_at = e.occurred_at AND r.id <= e.id)) \
              ORDER BY r.occurred_at DESC, r.id DESC LIMIT 1)"
        }
        "imported_at" => {
            "coalesce(e.imported_at, (SELECT started_at FROM imports i WHERE i.id = e.import_id))"
        }
        // Every other column is stored in `entries` under its id.
        id => ENTRY_EXPRS
            .iter()
            .find(|(i, _)| *i == id)
            .map_or("NULL", |(_, e)| e.as_str()),
    }
}

/// Whether reading the column needs the payloads join.
pub fn in_payloads(c: &Column) -> bool {
    matches!(c.id, "request" | "response")
}

/// The product identity columns, stored once per product in the products table.
pub const PRODUCT_COLUMNS: [&str; 4] = ["sku", "channel_sku", "gtin", "product_name"];

/// Columns that are never NULL, which lets keyset pagination use plain row-value comparisons.
pub fn not_null(c: &Column) -> bool {
    matches!(c.id, "id" | "occurred_at" | "source")
}

/// `e.<id>` for each column, made once: what a column stored in `entries` reads.
static ENTRY_EXPRS: std::sync::LazyLock<Vec<(&'static str, String)>> =
    std::sync::LazyLock::new(|| {
        COLUMNS
            .iter()
            .map(|c| (c.id, format!("e.{}", c.id)))
            .collect()
    });

pub fn find(id: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.id == id)
}

/// The registry column closest to a mistyped id, for "did you mean" hints.
pub fn suggest(id: &str) -> Option<&'static str> {
    let id = id.to_ascii_lowercase();
    COLUMNS
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&id, c.id), c.id))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

pub fn unknown_column_message(id: &str) -> String {
    match suggest(id) {
        Some(s) => format!("unknown column '{id}'; did you mean '{s}'?"),
        None => format!("unknown column '{id}'; `invlog columns` lists them"),
    }
}

pub fn default_visible() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .filter(|c| c.default_visible)
        .map(|c| c.id)
        .collect()
}

/// The columns each source system fills, that a store holding only its rows opens on (the
/// `default_visible` ones are Konnect's and the push logs'): registry data, so choosing them
/// never scans the store.
const SOURCE_DEFAULTS: &[(&str, &[&str])] = &[
    (
        "xoro",
        &[
            "occurred_at",
            "source",
            "tab",
            "event_type",
            "sync_type",
            "sku",
            "status",
            "error",
            "resolved",
            "event_id",
        ],
    ),
    (
        "ordoro",
        &[
            "occurred_at",
            "source",
            "event_type",
            "sku",
            "warehouse_name",
            "quantity",
            "available_on_hand",
            "physical_on_hand",
            "event_id",
            "user_name",
        ],
    ),
    (
        "logitrail",
        &[
            "occurred_at",
            "source",
            "event_type",
            "sku",
            "gtin",
            "product_name",
            "in_stock",
            "available",
            "reserved",
            "inbound",
            "best_before",
        ],
    ),
    (
        "shiphero",
        &[
            "occurred_at",
            "source",
            "event_type",
            "sku",
            "warehouse_name",
            "location_code",
            "quantity",
            "physical_on_hand",
            "status",
            "error",
            "reason",
            "batch_id",
        ],
    ),
];

/// The columns a store of these source systems opens on: every one's, in the registry's order
/// (Konnect's and the push logs' are the `default_visible` ones, as are those of a source
/// without a list, and of no source at all).
pub fn defaults_for(sources: &[&str]) -> Vec<&'static str> {
    let listed = |source: &str| SOURCE_DEFAULTS.iter().find(|(s, _)| *s == source);
    let wanted = |id: &str| {
        sources.is_empty() && default_visible().contains(&id)
            || sources.iter().any(|s| match listed(s) {
                Some((_, ids)) => ids.contains(&id),
                None => default_visible().contains(&id),
            })
    };
    COLUMNS
        .iter()
        .filter(|c| !c.kit_only && wanted(c.id))
        .map(|c| c.id)
        .collect()
}

pub fn searchable_ids() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().filter(|c| c.searchable).map(|c| c.id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_store_opens_on_the_columns_its_sources_fill() {
        assert_eq!(defaults_for(&[]), default_visible());
        assert_eq!(defaults_for(&["konnect", "pushlog"]), default_visible());
        let xoro = defaults_for(&["xoro"]);
        assert!(xoro.contains(&"tab") && xoro.contains(&"error"));
        assert!(!xoro.contains(&"inventory_sent") && !xoro.contains(&"channel"));
        // Two sources: both sets, in the registry's order, each column once.
        let both = defaults_for(&["xoro", "konnect"]);
        assert!(both.contains(&"tab") && both.contains(&"inventory_sent"));
        let order: Vec<usize> = both
            .iter()
            .map(|id| COLUMNS.iter().position(|c| c.id == *id).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
        for (_, ids) in SOURCE_DEFAULTS {
            for id in *ids {
                assert!(find(id).is_some(), "{id} is a registry column");
            }
        }
    }

    use super::*;

    #[test]
    fn facets_have_one_place_each_in_the_bar() {
        let mut places: Vec<u8> = COLUMNS
            .iter()
            .filter(|c| c.facet)
            .map(|c| c.facet_place)
            .collect();
        places.sort_unstable();
        assert_eq!(places, (1..=places.len() as u8).collect::<Vec<_>>());
        assert!(COLUMNS.iter().all(|c| c.facet || c.facet_place == 0));
    }

    #[test]
    fn ids_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for c in COLUMNS {
            assert!(seen.insert(c.id), "duplicate {}", c.id);
            assert!(c.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }

    #[test]
    fn every_column_has_sql() {
        for c in COLUMNS {
            assert_ne!(sql_expr(c), "NULL", "{}", c.id);
        }
    }

    #[test]
    fn suggests_near_misses() {
        assert_eq!(
            unknown_column_message("stauts"),
            "unknown column 'stauts'; did you mean 'status'?"
        );
        assert_eq!(suggest("ocurred_at"), Some("occurred_at"));
        assert_eq!(suggest("zzzzzzzz"), None);
    }
}

/// A filter's operator. The registry says which operators fit each column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
    In,
    IsEmpty,
    IsNotEmpty,
    Between,
}

impl Op {
    pub const ALL: [Op; 12] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Contains,
        Op::NotContains,
        Op::In,
        Op::IsEmpty,
        Op::IsNotEmpty,
        Op::Between,
    ];

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "~",
            Op::NotContains => "!~",
            Op::In => "in",
            Op::IsEmpty => "is empty",
            Op::IsNotEmpty => "is not empty",
            Op::Between => "between",
        }
    }

    /// The operators that make sense for a column type (the UI offers only these).
    pub const fn for_kind(kind: ColumnKind) -> &'static [Op] {
        use Op::*;
        match kind {
            ColumnKind::Text | ColumnKind::Date | ColumnKind::Integer => &Op::ALL,
            ColumnKind::Time => &[Eq, Ne, Lt, Le, Gt, Ge, In, IsEmpty, IsNotEmpty, Between],
            ColumnKind::Bool => &[Eq, Ne, IsEmpty, IsNotEmpty],
            ColumnKind::Status => &[Eq, Ne, In, IsEmpty, IsNotEmpty],
            ColumnKind::Json => &[Contains, NotContains, IsEmpty, IsNotEmpty],
        }
    }
}

pub fn normalise_status(t: &str) -> Option<&'static str> {
    const WORDS: &[(&str, &str)] = &[
        ("success", "success"),
        ("succeeded", "success"),
        ("processed", "success"),
        ("ok", "success"),
        ("failed", "failed"),
        ("failure", "failed"),
        ("error", "failed"),
        ("pending", "pending"),
    ];
    WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(t.trim()))
        .map(|(_, s)| *s)
}
