-- Licenses and cloud services (SPEC, "Licenses and cloud services").

-- A service whose instances carry a license GUID that cloud entitlements
-- bind to: a Control Room. An IQ Bot server is a service that does not.
ALTER TABLE products ADD COLUMN holds_cloud_licenses INTEGER NOT NULL DEFAULT 0
    CHECK (holds_cloud_licenses IN (0, 1));

-- One row per unit of a `service` product a customer holds: created Ready
-- when the drawdown that brings it is accepted.
CREATE TABLE service_instances (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    entitlement_id INTEGER NOT NULL REFERENCES entitlements (id),
    product_id     INTEGER NOT NULL REFERENCES products (id),
    license_guid   TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('ready', 'provisioning', 'active', 'failed')),
    region         TEXT,
    tenant_name    TEXT,
    url            TEXT,
    last_error     TEXT,
    created_at     INTEGER NOT NULL,
    changed_at     INTEGER NOT NULL,
    CONSTRAINT service_instances_guid_key UNIQUE (license_guid),
    CHECK ((state = 'ready') = (tenant_name IS NULL))
);
CREATE INDEX service_instances_account ON service_instances (account_id);
-- A tenant name is an address in the vendor's cloud: unique across it.
CREATE UNIQUE INDEX service_instances_tenant_key ON service_instances (tenant_name);

-- Each attempt to have an instance provisioned, worked off like the outbox:
-- claimed with a lease, retried with back-off.
CREATE TABLE provisioning_jobs (
    id              INTEGER PRIMARY KEY,
    instance_id     INTEGER NOT NULL REFERENCES service_instances (id),
    -- Which adapter took it: 'local' or 'webhook'.
    adapter         TEXT    NOT NULL CHECK (adapter IN ('local', 'webhook')),
    -- pending: to send; sent: the provisioner has it, its answer comes by
    -- callback; done / failed: over.
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    changed_at      INTEGER NOT NULL
);
-- At most one job under way per instance, whatever races the requests run.
CREATE UNIQUE INDEX provisioning_jobs_one_open ON provisioning_jobs (instance_id)
    WHERE state IN ('pending', 'sent');
CREATE INDEX provisioning_jobs_due ON provisioning_jobs (state, next_attempt_at);

-- License files for Control Room installations (the legacy path). The signed
-- text is kept as issued, so a download is byte-for-byte the signed file.
CREATE TABLE license_files (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    host_name   TEXT    NOT NULL,
    host_id     TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('active', 'replaced', 'revoked')),
    signed_text TEXT    NOT NULL,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    -- The file this one replaced, when it was reconfigured.
    replaces    INTEGER REFERENCES license_files (id),
    changed_at  INTEGER NOT NULL
);
CREATE INDEX license_files_account ON license_files (account_id, issued_at);
-- One current file per installation of an account.
CREATE UNIQUE INDEX license_files_one_active_per_host ON license_files (account_id, host_id)
    WHERE state = 'active';

-- The usage ledger: quantities of an account's entitlements put to use
-- (bound to a Control Room's license GUID, or configured into a license
-- file) and given back. Append-only; what is in use is its sum, and for
-- every entitlement 0 <= in use <= quantity.
CREATE TABLE usage_entries (
    id                  INTEGER PRIMARY KEY,
    entitlement_id      INTEGER NOT NULL REFERENCES entitlements (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('assign', 'release')),
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    service_instance_id INTEGER REFERENCES service_instances (id),
    license_file_id     INTEGER REFERENCES license_files (id),
    user_id             INTEGER REFERENCES users (id),
    created_at          INTEGER NOT NULL,
    CHECK ((service_instance_id IS NULL) <> (license_file_id IS NULL))
);
CREATE INDEX usage_entries_entitlement ON usage_entries (entitlement_id);
CREATE INDEX usage_entries_instance ON usage_entries (service_instance_id) WHERE service_instance_id IS NOT NULL;
CREATE INDEX usage_entries_file ON usage_entries (license_file_id) WHERE license_file_id IS NOT NULL;

CREATE TRIGGER usage_entries_no_update BEFORE UPDATE ON usage_entries
BEGIN
    SELECT RAISE(ABORT, 'usage entries are append-only');
END;
CREATE TRIGGER usage_entries_no_delete BEFORE DELETE ON usage_entries
BEGIN
    SELECT RAISE(ABORT, 'usage entries are append-only');
END;

-- The Control Room is the service cloud licenses bind to.
UPDATE products SET holds_cloud_licenses = 1 WHERE sku = 'CR';
