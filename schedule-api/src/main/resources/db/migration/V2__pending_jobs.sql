-- A job is known from the moment its run is due (recur.due-runs), before it has a result: until then its
-- result_status and create_status_code are NULL, which the API shows as "pending" (API.md).
ALTER TABLE job_history ALTER COLUMN result_status DROP NOT NULL;
ALTER TABLE job_history ALTER COLUMN create_status_code DROP NOT NULL;
