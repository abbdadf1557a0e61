-- A tenant's bucket list, set by an administrator (PUT /v1/admin/users/{id}/buckets): the only buckets its items may
-- name. No row: any bucket the deployment allows. The list reaches delivery, which checks it again before every
-- upload, on the internal, compacted recur.tenant-buckets topic (through the outbox), keyed by the username.
CREATE TABLE tenant_bucket_list (
    user_id    bigint      PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    -- the entries as a JSON array of strings: "s3://bucket", "gs://bucket", '*' matching any characters
    buckets    jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);
