-- schedule-api owns users, schedules, the outbox and its read models; no other service reads these tables.

CREATE TABLE app_user (
    id               bigserial PRIMARY KEY,
    username         text        NOT NULL UNIQUE,
    password_hash    text        NOT NULL,
    admin            boolean     NOT NULL DEFAULT false,
    -- the quota counter, kept in step with schedule.active in the same transaction so that checking it is one row
    active_schedules integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now()
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

-- Read model of recur.schedule-stats: the latest ScheduleStats per schedule, as its JSON stats object.
CREATE TABLE schedule_stats (
    schedule_id bigint PRIMARY KEY,
    owner       text        NOT NULL,
    stats       jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Read model of recur.job-history: one row per finished job, idempotent by job id.
CREATE TABLE job_history (
    job_id             bigint PRIMARY KEY,
    run_id             bigint      NOT NULL,
    schedule_id        bigint      NOT NULL,
    owner              text        NOT NULL,
    scheduled_for      timestamptz NOT NULL,
    item_index         integer     NOT NULL,
    item               jsonb,
    create_status_code integer     NOT NULL,
    result_status      text        NOT NULL,
    error              text,
    created_at         timestamptz NOT NULL,
    result_created_at  timestamptz,
    results_bucket     text,
    results_key        text
);
CREATE INDEX job_history_schedule_idx ON job_history (schedule_id, scheduled_for DESC, run_id, created_at DESC);
CREATE INDEX job_history_schedule_created_idx ON job_history (schedule_id, created_at DESC, job_id);
