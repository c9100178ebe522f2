-- Partner drawdown requests (SPEC, "Partner drawdown request").

-- The next request number. One row; taking a number is one UPDATE … RETURNING,
-- which both engines serialise on the row, so two requests never share one.
CREATE TABLE drawdown_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    next INTEGER NOT NULL CHECK (next >= 1)
);
INSERT INTO drawdown_numbers (id, next) VALUES (1, 1);

CREATE TABLE drawdown_requests (
    id                  INTEGER PRIMARY KEY,
    number              INTEGER NOT NULL CHECK (number BETWEEN 1 AND 999999),
    partner_id          INTEGER NOT NULL REFERENCES accounts (id),
    order_id            INTEGER NOT NULL REFERENCES orders (id),
    -- The customer account the request is tied to: an existing one found at
    -- Save, or the one created at acceptance. NULL until then.
    customer_account_id INTEGER REFERENCES accounts (id),
    customer_name       TEXT    NOT NULL CHECK (length(trim(customer_name)) BETWEEN 1 AND 200),
    customer_website    TEXT    NOT NULL,
    contact_name        TEXT    NOT NULL CHECK (length(trim(contact_name)) BETWEEN 1 AND 200),
    contact_email       TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('submitted', 'approved', 'rejected', 'accepted', 'cancelled', 'expired')),
    requested_by        INTEGER NOT NULL REFERENCES users (id),
    -- The request this one was cloned from, if any.
    cloned_from         INTEGER REFERENCES drawdown_requests (id),
    -- The latest reason given (a rejection's), shown to the partner.
    reason              TEXT,
    created_at          INTEGER NOT NULL,
    -- When the state last changed: the list's "last change", and the start
    -- of an approval's time to expiry.
    changed_at          INTEGER NOT NULL,
    CONSTRAINT drawdown_requests_number_key UNIQUE (number)
);
CREATE INDEX drawdown_requests_partner ON drawdown_requests (partner_id, changed_at);
CREATE INDEX drawdown_requests_state ON drawdown_requests (state, changed_at);

-- What a request asks of each order line (only lines above 0).
CREATE TABLE drawdown_request_lines (
    drawdown_request_id INTEGER NOT NULL REFERENCES drawdown_requests (id),
    order_line_id       INTEGER NOT NULL REFERENCES order_lines (id),
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (drawdown_request_id, order_line_id)
);

-- Every state a request went through: who, when, from, to, why.
CREATE TABLE drawdown_history (
    id                  INTEGER PRIMARY KEY,
    drawdown_request_id INTEGER NOT NULL REFERENCES drawdown_requests (id),
    -- NULL for the Save that created the request.
    from_state          TEXT,
    to_state            TEXT    NOT NULL,
    -- NULL when the server acted (expiry).
    actor_user_id       INTEGER REFERENCES users (id),
    reason              TEXT,
    at                  INTEGER NOT NULL
);
CREATE INDEX drawdown_history_request ON drawdown_history (drawdown_request_id, id);

CREATE TRIGGER drawdown_history_no_update BEFORE UPDATE ON drawdown_history
BEGIN
    SELECT RAISE(ABORT, 'drawdown history is append-only');
END;
CREATE TRIGGER drawdown_history_no_delete BEFORE DELETE ON drawdown_history
BEGIN
    SELECT RAISE(ABORT, 'drawdown history is append-only');
END;

-- Emails waiting for the delivery worker, written in the transaction of the
-- change that causes them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    locale          TEXT    NOT NULL CHECK (locale IN ('en', 'fr')),
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    drawdown_request_id INTEGER REFERENCES drawdown_requests (id),
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Not before this time: retries back off.
    next_attempt_at INTEGER NOT NULL,
    -- A worker that claimed the row holds it until then; a crashed worker's
    -- claim runs out and another worker takes the row.
    claimed_until   INTEGER,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
