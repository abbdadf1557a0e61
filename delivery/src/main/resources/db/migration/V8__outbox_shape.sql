-- The outbox table has one shape in every service's database, the one common's OutboxPublisher reads: the key in
-- message_key, a nullable payload (a tombstone), created_at, and sent_at for rows kept after they were published.
ALTER TABLE outbox RENAME COLUMN record_key TO message_key;
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE outbox ADD COLUMN sent_at timestamptz;
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
