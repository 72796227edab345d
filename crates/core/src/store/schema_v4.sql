-- The built-in views that name rare values (Xoro's tabs, its resolved flag, entries carrying
-- an error) would otherwise scan every entry for their count and first page. Partial indexes
-- hold only the few entries that have the value at all, so imports barely notice them.
CREATE INDEX entries_by_tab ON entries(tab, occurred_at) WHERE tab IS NOT NULL;
CREATE INDEX entries_with_error ON entries(occurred_at) WHERE error IS NOT NULL;
CREATE INDEX entries_by_resolved ON entries(resolved, occurred_at) WHERE resolved IS NOT NULL;
