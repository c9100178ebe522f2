CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    sku           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    license_model TEXT    NOT NULL CHECK (license_model IN ('cloud', 'file', 'service')),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_name_key UNIQUE (name)
);

-- A partner's purchase from the vendor.
CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    number     TEXT    NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES accounts (id),
    ordered_on TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT orders_number_key UNIQUE (number)
);
CREATE INDEX orders_partner ON orders (partner_id);

CREATE TABLE order_lines (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    line_no     INTEGER NOT NULL CHECK (line_no > 0),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    term_months INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    CONSTRAINT order_lines_line_key UNIQUE (order_id, line_no),
    -- One line per product: a drawdown asks "how many of PRODUCT", per order.
    CONSTRAINT order_lines_product_key UNIQUE (order_id, product_id)
);

-- What an account holds and where it came from: an order line (the
-- partner's own purchase) or an accepted drawdown (a customer's share).
CREATE TABLE entitlements (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    product_id          INTEGER NOT NULL REFERENCES products (id),
    quantity            INTEGER NOT NULL CHECK (quantity >= 0),
    term_months         INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    order_line_id       INTEGER REFERENCES order_lines (id),
    drawdown_request_id INTEGER,
    created_at          INTEGER NOT NULL,
    CHECK ((order_line_id IS NULL) <> (drawdown_request_id IS NULL))
);
CREATE INDEX entitlements_account ON entitlements (account_id);
CREATE UNIQUE INDEX entitlements_order_line ON entitlements (order_line_id) WHERE order_line_id IS NOT NULL;

-- Every movement of an order line's quantity. Append-only: balances are sums
-- over it, so history can be audited and never disagrees with a total.
CREATE TABLE ledger_entries (
    id                  INTEGER PRIMARY KEY,
    order_line_id       INTEGER NOT NULL REFERENCES order_lines (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('reserve', 'release', 'draw')),
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    -- The drawdown request that caused the movement.
    drawdown_request_id INTEGER,
    -- For a draw, the customer account that now holds the quantity.
    to_account_id       INTEGER REFERENCES accounts (id),
    created_at          INTEGER NOT NULL,
    CHECK ((kind = 'draw') = (to_account_id IS NOT NULL))
);
CREATE INDEX ledger_entries_line ON ledger_entries (order_line_id);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
