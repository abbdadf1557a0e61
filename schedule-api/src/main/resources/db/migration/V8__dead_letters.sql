-- The dead letters delivery publishes (recur.delivery-dlq), one row per delivery (a job's callback or upload): a later
-- dead letter of the same delivery (after a replay failed again) replaces the row and ends its replay request.
-- owner_id is the schedule's owner, as the job history keeps it (ownership by user id); NULL when neither the schedule
-- nor the job's history named one (then only administrators see it). replay_id is set by a replay request (POST
-- /v1/dead-letters/{id}/replay) in the transaction that writes its command to the outbox.
CREATE TABLE dead_letter (
    id                  bigserial PRIMARY KEY,
    job_id              bigint      NOT NULL,
    kind                text        NOT NULL,
    schedule_id         bigint      NOT NULL,
    run_id              bigint      NOT NULL,
    owner               text        NOT NULL,
    owner_id            bigint,
    target              text        NOT NULL,
    attempts            integer     NOT NULL,
    first_attempt_at    timestamptz NOT NULL,
    last_attempt_at     timestamptz NOT NULL,
    last_status_code    integer,
    reason              text        NOT NULL,
    replay_id           uuid,
    replay_requested_at timestamptz,
    replay_requested_by text,
    UNIQUE (job_id, kind)
);
CREATE INDEX dead_letter_owner_idx ON dead_letter (owner_id, last_attempt_at DESC, id DESC);
CREATE INDEX dead_letter_time_idx ON dead_letter (last_attempt_at DESC, id DESC);
