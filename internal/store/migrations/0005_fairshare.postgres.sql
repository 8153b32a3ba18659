-- Fair-share scheduling.
--
-- A queue with a fair-share scheduling policy places jobs share by share:
-- each share identifier is a line of its own, served highest
-- schedulingPriority first and then in submission order, and the scheduler
-- picks the share to serve next by its recent usage. Array children join
-- their parent's share: from now on share_id is set on them too, so that
-- the scheduler finds them in their share's line (the ListJobs filter,
-- which applies to top-level jobs only, adds "array_index IS NULL").
--
-- priority is the job's schedulingPriority (its parent's, for a child), 0
-- when it has none; it orders a share's line only and is never filtered on.
-- A constant default makes the new column free to add: no row is written.
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

-- Jobs stored before this migration: unfinished array children take their
-- parent's share, and unfinished fair-share jobs their priority, so that
-- they keep their place. (PostgreSQL's version of 0005_fairshare.sql: the
-- spec is JSON in a BYTEA.)
UPDATE jobs SET
    share_id = (SELECT p.share_id FROM jobs AS p WHERE p.id = jobs.array_parent),
    priority = COALESCE((SELECT (convert_from(p.spec, 'UTF8')::jsonb ->> 'schedulingPriority')::bigint
        FROM jobs AS p WHERE p.id = jobs.array_parent), 0)
WHERE array_parent IS NOT NULL AND status IN ('SUBMITTED', 'PENDING', 'RUNNABLE');

UPDATE jobs SET priority = COALESCE((convert_from(spec, 'UTF8')::jsonb ->> 'schedulingPriority')::bigint, 0)
WHERE share_id IS NOT NULL AND spec IS NOT NULL AND status IN ('SUBMITTED', 'PENDING', 'RUNNABLE');

-- The line of each share of a queue: its RUNNABLE jobs, highest priority
-- first, then oldest first. The scheduler reads the front of a share's line
-- with a seek, and finds the shares that have a line by skipping from one
-- share_id to the next. Only RUNNABLE jobs of fair-share queues are in it,
-- so it stays small and FIFO queues do not pay for it. (Queries must spell
-- status = 'RUNNABLE' as a literal for SQLite to use a partial index.)
CREATE INDEX jobs_share_runnable ON jobs (queue, share_id, priority DESC, seq)
    WHERE status = 'RUNNABLE' AND share_id IS NOT NULL;

-- The shares of a queue that hold capacity now (jobs STARTING or RUNNING):
-- the active shares of computeReservation and of GetJobQueueSnapshot's
-- activeShareCount. As small as the capacity in use.
CREATE INDEX jobs_share_started ON jobs (queue, share_id)
    WHERE status IN ('STARTING', 'RUNNING') AND share_id IS NOT NULL;

-- ListJobs with the SHARE_IDENTIFIER filter: a queue's top-level jobs of a
-- share, newest first, in any status or in one. The status is not in it,
-- so that a job's changes of status, many per job and scattered over the
-- shares, never write it; a listing by share and status reads the rows of
-- the share's jobs to test their status, which the filter's rarity allows.
CREATE INDEX jobs_queue_share ON jobs (queue, share_id, seq)
    WHERE share_id IS NOT NULL AND array_index IS NULL;
