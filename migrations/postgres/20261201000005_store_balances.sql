-- Stored balances (SPEC, "Scale"): what the screens and every check-then-write
-- read is kept beside the row it belongs to and moved in the same statement
-- as the ledger or usage entry that explains it, so no read or write sums a
-- ledger that grows with history. The ledgers stay the append-only proof;
-- `server ledger check` recomputes every stored figure from them.

-- An order line's split: available is quantity - reserved - drawn.
ALTER TABLE order_lines
    ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN drawn    BIGINT NOT NULL DEFAULT 0;

UPDATE order_lines ol SET reserved = b.reserved, drawn = b.drawn
FROM (SELECT order_line_id,
             sum(CASE kind WHEN 'reserve' THEN quantity ELSE -quantity END) AS reserved,
             sum(CASE kind WHEN 'draw' THEN quantity ELSE 0 END) AS drawn
      FROM ledger_entries GROUP BY order_line_id) b
WHERE b.order_line_id = ol.id;

ALTER TABLE order_lines
    ADD CONSTRAINT order_lines_reserved_check CHECK (reserved >= 0 AND reserved <= quantity),
    ADD CONSTRAINT order_lines_drawn_check CHECK (drawn >= 0 AND reserved + drawn <= quantity);

-- What of an entitlement is bound to Control Rooms or configured into files.
ALTER TABLE entitlements ADD COLUMN in_use BIGINT NOT NULL DEFAULT 0;

UPDATE entitlements e SET in_use = u.in_use
FROM (SELECT entitlement_id, sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS in_use
      FROM usage_entries GROUP BY entitlement_id) u
WHERE u.entitlement_id = e.id;

ALTER TABLE entitlements
    ADD CONSTRAINT entitlements_in_use_check CHECK (in_use >= 0 AND in_use <= quantity);

-- What each Control Room or license file holds of each entitlement now: what
-- Cloud licenses shows and what an unbind or a revocation gives back.
CREATE TABLE usage_holdings (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entitlement_id      BIGINT  NOT NULL REFERENCES entitlements (id),
    service_instance_id BIGINT  REFERENCES service_instances (id),
    license_file_id     BIGINT  REFERENCES license_files (id),
    quantity            BIGINT  NOT NULL CHECK (quantity >= 0),
    CHECK ((service_instance_id IS NULL) <> (license_file_id IS NULL))
);
CREATE UNIQUE INDEX usage_holdings_instance ON usage_holdings (service_instance_id, entitlement_id)
    WHERE service_instance_id IS NOT NULL;
CREATE UNIQUE INDEX usage_holdings_file ON usage_holdings (license_file_id, entitlement_id)
    WHERE license_file_id IS NOT NULL;
CREATE INDEX usage_holdings_entitlement ON usage_holdings (entitlement_id);

INSERT INTO usage_holdings (entitlement_id, service_instance_id, license_file_id, quantity)
SELECT entitlement_id, service_instance_id, license_file_id,
       sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END)
FROM usage_entries
GROUP BY entitlement_id, service_instance_id, license_file_id;

-- Customer search is by the start of the customer's name, any case, through
-- an index: the key is lower-cased by the portal when a request is saved.
-- Collation "C" compares bytes, as SQLite does, so a prefix is one index range.
ALTER TABLE drawdown_requests ADD COLUMN customer_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE drawdown_requests SET customer_key = lower(trim(customer_name));

-- Keyset pages of the lists, newest change first or oldest first.
DROP INDEX drawdown_requests_partner;
DROP INDEX drawdown_requests_state;
CREATE INDEX drawdown_requests_partner ON drawdown_requests (partner_id, changed_at, id);
CREATE INDEX drawdown_requests_partner_state ON drawdown_requests (partner_id, state, changed_at, id);
CREATE INDEX drawdown_requests_customer ON drawdown_requests (customer_account_id, changed_at, id)
    WHERE customer_account_id IS NOT NULL;
CREATE INDEX drawdown_requests_state ON drawdown_requests (state, changed_at, id);
CREATE INDEX drawdown_requests_partner_search ON drawdown_requests (partner_id, customer_key);
CREATE INDEX drawdown_requests_state_search ON drawdown_requests (state, customer_key);

-- The ledger by request: a request's movements, the reconciliation's joins.
CREATE INDEX ledger_entries_request ON ledger_entries (drawdown_request_id);
CREATE INDEX entitlements_request ON entitlements (drawdown_request_id) WHERE drawdown_request_id IS NOT NULL;

-- A request is tied to the customer of the same name or website domain: both
-- looked up through an index, not by reading every customer of the partner.
-- The domain is the portal's rule (host, lower-case, without "www."), so the
-- portal fills it for existing accounts at start-up.
ALTER TABLE accounts ADD COLUMN website_domain TEXT;
CREATE INDEX accounts_customer_domain ON accounts (managed_by, website_domain) WHERE kind = 'customer';
-- What the start-up fill has left to do, so a start with nothing to fill
-- reads no account.
CREATE INDEX accounts_website_domain_missing ON accounts (id) WHERE website IS NOT NULL AND website_domain IS NULL;

-- "Select an account" for the vendor's staff: every account, a page at a
-- time in the order of its name.
CREATE INDEX accounts_by_name ON accounts (lower(name), id);

-- The child side of foreign keys that had no index: what refers to a request,
-- an entitlement or an instance is found without reading the whole table
-- (SQLite's plan for inserting a parent row otherwise scans each of them).
CREATE INDEX outbox_request ON outbox (drawdown_request_id);
CREATE INDEX drawdown_requests_cloned_from ON drawdown_requests (cloned_from);
CREATE INDEX service_instances_entitlement ON service_instances (entitlement_id);
CREATE INDEX provisioning_jobs_instance ON provisioning_jobs (instance_id);
