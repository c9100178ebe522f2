-- A session also ends after a time without use (the idle timeout): when the
-- user last made a request, kept to the minute.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
