-- Replays of dead letters (recur.delivery-replays). A dead-lettered delivery leaves the delivery table; dead_delivery
-- keeps it, with its real target (the dead letter's is redacted), until a replay makes it due again. A command is
-- acted on once: delivery_replay records every replay_id received, and whether it made a delivery due.
CREATE TABLE dead_delivery (
    job_id  bigint      NOT NULL,
    kind    text        NOT NULL,
    target  text        NOT NULL,
    dead_at timestamptz NOT NULL,
    PRIMARY KEY (job_id, kind)
);

CREATE TABLE delivery_replay (
    replay_id   uuid PRIMARY KEY,
    job_id      bigint      NOT NULL,
    kind        text        NOT NULL,
    received_at timestamptz NOT NULL,
    replayed    boolean     NOT NULL
);
