-- Webhooks (SPEC, "Partner API and webhooks"): the endpoints a partner
-- registered, and each event's delivery to each of them, queued in the
-- transaction of the change it announces (as the email outbox is).

-- The secret signs deliveries (Standard Webhooks), so it is kept as given
-- to the partner, not hashed.
CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    url         TEXT    NOT NULL,
    -- The event types it receives, comma-separated.
    events      TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    disabled_at INTEGER
);
CREATE INDEX webhook_endpoints_by_account ON webhook_endpoints (account_id, id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    -- The Standard Webhooks message id (webhook-id): one per event, the
    -- same on every attempt, so a receiver drops a repeat.
    message_id      TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    delivered_at    INTEGER,
    dead_at         INTEGER,
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
