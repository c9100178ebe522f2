-- A message that failed for good (the mail server refused it with a 5xx,
-- or its address cannot be used) after its bounded retries: kept and
-- counted, no longer tried, until an operator retries it
-- (`server mail retry ID`).
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
