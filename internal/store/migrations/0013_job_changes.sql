-- The job change log of servers that share a database: each durable write's
-- changes of a job's status (and TerminateJob's marks), numbered in commit
-- order, so that every server follows every other's changes (its event feed,
-- its counts, the leader's runner). Written only when the store is opened
-- with a change log (Options.ChangeLog); trimmed by age.
--
-- seq comes from job_change_head, whose one row each writing transaction
-- updates just before it commits: the row's lock makes the transactions
-- that log changes take their numbers in the order they commit, so a reader
-- that has seen seq n has seen everything before it.
CREATE TABLE job_change_head (
    id  INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO job_change_head (id, seq) VALUES (1, 0);

CREATE TABLE job_changes (
    seq         BIGINT PRIMARY KEY,
    origin      TEXT NOT NULL, -- the writing server's ID
    job_id      TEXT NOT NULL,
    from_status TEXT NOT NULL, -- '' for a new job
    to_status   TEXT NOT NULL,
    at          BIGINT NOT NULL -- Unix milliseconds
);
CREATE INDEX job_changes_at ON job_changes (at);
