-- delivery owns the job log (one row per job id: what makes redelivery harmless), stats, run history,
-- pending deliveries and the outbox of events it publishes.

CREATE TABLE job (
    job_id             bigint PRIMARY KEY,
    run_id             bigint      NOT NULL,
    schedule_id        bigint      NOT NULL,
    owner              text        NOT NULL,
    scheduled_for      timestamptz NOT NULL,
    item_index         integer     NOT NULL,
    item               jsonb       NOT NULL,
    create_status_code integer     NOT NULL,
    result_status      text        NOT NULL,
    error              text,
    created_at         timestamptz NOT NULL,
    result_created_at  timestamptz NOT NULL,
    -- key of the results-store object; null once the expiry sweep deleted it
    results_key        text
);
CREATE INDEX job_schedule_idx ON job (schedule_id, scheduled_for DESC);
CREATE INDEX job_results_expiry_idx ON job (result_created_at) WHERE results_key IS NOT NULL;

CREATE TABLE schedule_stats (
    schedule_id     bigint PRIMARY KEY,
    owner           text        NOT NULL,
    total_job_count bigint      NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE schedule_create_outcome (
    schedule_id bigint  NOT NULL,
    status_code integer NOT NULL,
    job_count   bigint  NOT NULL,
    PRIMARY KEY (schedule_id, status_code)
);

CREATE TABLE schedule_result_outcome (
    schedule_id bigint NOT NULL,
    status      text   NOT NULL,
    job_count   bigint NOT NULL,
    PRIMARY KEY (schedule_id, status)
);

-- per run: the success rate is done_count / job_count; the run's jobs are in job
CREATE TABLE run (
    run_id        bigint PRIMARY KEY,
    schedule_id   bigint      NOT NULL,
    scheduled_for timestamptz NOT NULL,
    job_count     bigint      NOT NULL,
    done_count    bigint      NOT NULL
);
CREATE INDEX run_schedule_idx ON run (schedule_id, scheduled_for DESC);

-- a delivery not yet done: next_attempt_at is also the lease of an attempt in flight, so a crashed
-- attempt is retried once it passes
CREATE TABLE delivery (
    id               bigserial PRIMARY KEY,
    job_id           bigint      NOT NULL,
    kind             text        NOT NULL,
    target           text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    next_attempt_at  timestamptz NOT NULL,
    last_status_code integer,
    last_error       text,
    UNIQUE (job_id, kind)
);
CREATE INDEX delivery_due_idx ON delivery (next_attempt_at);

-- events written in the transaction of their cause; the relay publishes them in id order
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    topic      text  NOT NULL,
    record_key text  NOT NULL,
    payload    bytea NOT NULL
);
