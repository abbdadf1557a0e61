-- who holds the lease of a delivery's attempt (next_attempt_at while it runs or waits in memory): lease_token is the
-- process that took it and renews it, lease_owner that process's recur.delivery.instance-id (null when none is set),
-- so that a restarted instance takes back at once what its previous run held. Both are null while the delivery
-- waits for its next attempt.
ALTER TABLE delivery ADD COLUMN lease_owner text, ADD COLUMN lease_token uuid;
