-- Administration from the browser (SPEC, "Administration", "Users of a
-- partner", "Your account", "Audit log").

-- Nothing the ledger or the history refers to is deleted: it is deactivated.
-- A deactivated user cannot sign in and its sessions end; a deactivated
-- account's users cannot sign in; a deactivated product is offered nowhere.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;
ALTER TABLE accounts ADD COLUMN deactivated_at INTEGER;
ALTER TABLE products ADD COLUMN deactivated_at INTEGER;

-- One-time links sent by email: an invitation (the invitee sets a first
-- password) or a password reset. Only a SHA-256 of the link's token is
-- stored; a link works once (used_at) and until expires_at. An invited user
-- has no password until then: its password_hash is ''.
CREATE TABLE user_links (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    CONSTRAINT user_links_token_key UNIQUE (token_hash)
);
CREATE INDEX user_links_user ON user_links (user_id, purpose);

-- Who did what, written in the transaction of the change it records.
-- actor is what the actor was called then (a user's email, "server", an API
-- token's name), so the entry reads the same after the user is renamed.
-- before and after are JSON objects of the fields that changed.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    actor         TEXT    NOT NULL,
    address       TEXT,
    kind          TEXT    NOT NULL,
    object_kind   TEXT    NOT NULL,
    object_id     INTEGER,
    object_label  TEXT    NOT NULL,
    account_id    INTEGER REFERENCES accounts (id),
    before        TEXT,
    after         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_account ON audit_log (account_id, at);
CREATE INDEX audit_log_kind ON audit_log (kind, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
