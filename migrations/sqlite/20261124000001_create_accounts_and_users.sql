-- Accounts: the vendor, its partners, and the customers each partner manages.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('vendor', 'partner', 'customer')),
    name          TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    website       TEXT,
    contact_name  TEXT,
    contact_email TEXT,
    managed_by    INTEGER REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    -- A customer is managed by exactly one partner; nothing else is managed.
    CHECK ((kind = 'customer') = (managed_by IS NOT NULL))
);
CREATE INDEX accounts_managed_by ON accounts (managed_by);
-- Two partners may each have a customer called "Contoso"; one partner may not.
CREATE UNIQUE INDEX accounts_unique_name ON accounts (kind, coalesce(managed_by, 0), lower(name));

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('partner_admin', 'partner_user', 'accounting', 'customer_user', 'vendor_admin')),
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    password_hash TEXT    NOT NULL,
    locale        TEXT    CHECK (locale IN ('en', 'fr')),
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_account ON users (account_id);

-- Server-side sessions: only a SHA-256 of the cookie's token is stored, so a
-- copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
