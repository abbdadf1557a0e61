-- delivery may keep a job's results document as a byte range of a results pack (one object per consumed
-- batch): its offset and size there; both NULL when the document is the whole object.
ALTER TABLE job_history ADD COLUMN results_offset bigint, ADD COLUMN results_size bigint;
