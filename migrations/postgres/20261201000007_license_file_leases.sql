-- A license file is valid offline until its lease ends (not_after: at most
-- the configured lease after it was signed, never past its entitlements'
-- end, which stays in expires_at). A revoked or replaced file keeps its
-- quantities in use until then, so a downloaded copy never grants more than
-- the account holds; released_at is when they went back.
ALTER TABLE license_files ADD COLUMN not_after BIGINT NOT NULL DEFAULT 0;
ALTER TABLE license_files ADD COLUMN released_at BIGINT;
-- Files issued before leases were valid until their entitlements ended, and
-- those that ended gave their quantities back at once.
UPDATE license_files SET not_after = expires_at;
UPDATE license_files SET released_at = changed_at WHERE state <> 'active';
-- What the release sweep looks for: ended files still holding quantities.
CREATE INDEX license_files_lapsing ON license_files (not_after) WHERE state <> 'active' AND released_at IS NULL;
