-- The partner API (SPEC, "Partner API and webhooks").

-- A token a partner admin (or a vendor admin, for the vendor's systems)
-- made for one account. Only the SHA-256 of its secret is kept; the
-- prefix identifies it on the API tokens tab without revealing it.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    name          TEXT    NOT NULL,
    scope         TEXT    NOT NULL CHECK (scope IN ('read', 'read_write')),
    secret_hash   TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER,
    CONSTRAINT api_tokens_secret_key UNIQUE (secret_hash)
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id, id);

-- The first answer to each Idempotency-Key of an account, stored in the
-- transaction of the work it answers: a retry within 24 hours gets it again.
CREATE TABLE idempotency_keys (
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT  NOT NULL,
    request_hash  TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    response      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
