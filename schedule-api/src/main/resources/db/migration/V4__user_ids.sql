-- Ownership by the user's immutable id, not the username: a deleted user's name can be taken again by a new user,
-- who must not inherit anything. schedule.owner and job_history.owner keep the username the events carry
-- (docs/events.md: a label); owner_id is what the API checks.
ALTER TABLE app_user
    ADD COLUMN enabled             boolean NOT NULL DEFAULT true,
    -- bumped by every change that must end the user's verified credentials on every replica at once (password,
    -- disable, delete): a replica's credential cache checks it on each hit (UserService)
    ADD COLUMN credentials_version bigint  NOT NULL DEFAULT 1;

ALTER TABLE schedule ADD COLUMN owner_id bigint;
UPDATE schedule s SET owner_id = u.id FROM app_user u WHERE u.username = s.owner;
ALTER TABLE schedule ALTER COLUMN owner_id SET NOT NULL;
DROP INDEX schedule_owner_id_idx;
CREATE INDEX schedule_owner_id_idx ON schedule (owner_id, id);

-- The history outlives a deleted schedule: its owner's id is kept with it, taken from the schedule when a job is
-- first recorded. NULL for jobs first recorded after their schedule was deleted (no user sees those).
ALTER TABLE job_history ADD COLUMN owner_id bigint;
UPDATE job_history j SET owner_id = u.id FROM app_user u WHERE u.username = j.owner;
