-- PostgreSQL twin of migrations/sqlite/20261206000012.
-- Administration's lists (SPEC, "Administration").

-- An order the vendor withdraws offers nothing to new drawdown requests;
-- what was reserved or drawn from it stays, with its ledger.
ALTER TABLE orders ADD COLUMN deactivated_at BIGINT;

-- Partners and customers listed by name (any case), a page at a time: read
-- in this index's order whatever the number of accounts.
CREATE INDEX accounts_by_kind_and_name ON accounts (kind, lower(name), id);
