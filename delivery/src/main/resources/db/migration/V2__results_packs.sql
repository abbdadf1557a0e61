-- results packs: a job's results document may be a byte range of an object that holds a whole batch's
-- small documents (results/packs/...). The expiry sweep deletes packs by the time in their keys, so the
-- job-log index it reads covers only documents stored alone.
ALTER TABLE job ADD COLUMN results_offset bigint, ADD COLUMN results_size bigint;
DROP INDEX job_results_expiry_idx;
CREATE INDEX job_results_expiry_idx ON job (result_created_at) WHERE results_key IS NOT NULL AND results_offset IS NULL;
