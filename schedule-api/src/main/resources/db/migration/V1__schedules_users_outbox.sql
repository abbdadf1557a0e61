-- schedule-api owns users, schedules and the outbox; no other service reads these tables.

CREATE TABLE app_user (
    id            bigserial PRIMARY KEY,
    username      text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    admin         boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedule (
    id             bigint PRIMARY KEY,
    owner          text        NOT NULL,
    cron           text        NOT NULL,
    timezone       text        NOT NULL,
    items          jsonb       NOT NULL,
    items_count    integer     NOT NULL,
    start_time     timestamptz,
    end_time       timestamptz NOT NULL,
    active         boolean     NOT NULL,
    catch_up       text        NOT NULL,
    overlap        text        NOT NULL,
    jitter_seconds integer     NOT NULL,
    revision       bigint      NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX schedule_owner_id_idx ON schedule (owner, id);

-- Transactional outbox: written in the same transaction as the schedule; the relay publishes rows in id order
-- and marks them sent. A null payload is a tombstone (schedule deleted).
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    message_key text        NOT NULL,
    payload     bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
