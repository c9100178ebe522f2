-- PostgreSQL twin of migrations/sqlite/20261207000013.
-- Accounting's workspace (SPEC, "Accounting's workspace").

-- The Decision panel lists the other open requests drawing from the same order.
CREATE INDEX drawdown_requests_order_state ON drawdown_requests (order_id, state);

-- Emails to accounting go to each accounting user: found by role.
CREATE INDEX users_by_role ON users (role, email);

-- Reminders and escalations sent: at most one per request, kind and
-- deadline, whichever process gets there first (the key refuses the rest).
CREATE TABLE drawdown_reminders (
    drawdown_request_id BIGINT NOT NULL REFERENCES drawdown_requests (id),
    kind                TEXT   NOT NULL CHECK (kind IN ('accounting', 'escalation', 'expiry_7d', 'expiry_1d')),
    -- The moment it became due: the request's submission or approval plus
    -- the configured delay, or its expiry less 7 days or 1 day.
    deadline            BIGINT NOT NULL,
    sent_at             BIGINT NOT NULL,
    PRIMARY KEY (drawdown_request_id, kind, deadline)
);

-- A line's statement: its movements a page at a time, and what the newer
-- ones moved (to walk back from the stored balance), from the index alone.
CREATE INDEX ledger_entries_line_movements ON ledger_entries (order_line_id, id, kind, quantity);
