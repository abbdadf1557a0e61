-- fire times of a schedule skipped, not run (catch-up policy or window), as the runs after them carried them
ALTER TABLE schedule_stats ADD COLUMN skipped_run_count bigint NOT NULL DEFAULT 0;
