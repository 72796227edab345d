CREATE INDEX entries_by_time ON entries(occurred_at);
CREATE INDEX entries_by_sku ON entries(sku, occurred_at);
CREATE INDEX entries_by_status ON entries(status, occurred_at);
CREATE INDEX entries_by_batch ON entries(batch_id);
CREATE INDEX entries_by_import ON entries(import_id);
