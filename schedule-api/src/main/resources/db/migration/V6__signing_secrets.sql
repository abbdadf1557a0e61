-- Each tenant's callback signing secret, without the secret: it is shown once to its owner and reaches delivery on
-- the internal, compacted recur.signing-secrets topic (through the outbox), so no service stores it in a database.
CREATE TABLE signing_secret (
    owner                text PRIMARY KEY,
    secret_id            text        NOT NULL,
    created_at           timestamptz NOT NULL,
    previous_secret_id   text,
    previous_valid_until timestamptz
);
