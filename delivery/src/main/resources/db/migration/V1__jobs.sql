-- delivery owns the job log (one row per job id: what makes redelivery harmless), stats and run history.

CREATE TABLE job (
    job_id             bigint PRIMARY KEY,
    run_id             bigint      NOT NULL,
    schedule_id        bigint      NOT NULL,
    owner              text        NOT NULL,
    scheduled_for      timestamptz NOT NULL,
    item_index         integer     NOT NULL,
    create_status_code integer     NOT NULL,
    result_status      text        NOT NULL,
    created_at         timestamptz NOT NULL,
    result_created_at  timestamptz NOT NULL
);
CREATE INDEX job_schedule_idx ON job (schedule_id, scheduled_for DESC);
