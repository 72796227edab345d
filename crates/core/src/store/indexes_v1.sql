CREATE INDEX entries_by_time ON entries(occurred_at);
CREATE INDEX entries_by_product ON entries(product_id, occurred_at);
-- Partial indexes stay small: most entries succeed, and many sources have no batch ids.
CREATE INDEX entries_unsuccessful ON entries(status, occurred_at) WHERE status <> 'success';
CREATE INDEX entries_by_batch ON entries(batch_id) WHERE batch_id IS NOT NULL;
