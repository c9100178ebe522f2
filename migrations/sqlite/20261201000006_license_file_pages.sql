-- The File licenses tab reads an account's active files, then its ended
-- ones, newest first, a page at a time: each read walks an index in its
-- order and stops at the page, however many files the account replaced or
-- revoked before.
CREATE INDEX license_files_active ON license_files (account_id, issued_at, id) WHERE state = 'active';
DROP INDEX license_files_account;
CREATE INDEX license_files_account ON license_files (account_id, issued_at, id);
