-- Cost totals per queue and UTC day (internal/costs, docs/COST.md).
--
-- job_costs holds one row per finished job counted, keyed by its ID, so
-- that a job's change seen twice is counted once; a later change of the
-- same job (a terminated job records its last attempt after it is FAILED)
-- replaces its row, and the day's totals move by the difference. attempts
-- is how many attempts the row priced: an older change seen late, with
-- fewer attempts, never replaces a newer one.
CREATE TABLE job_costs (
    job_id           TEXT PRIMARY KEY,
    queue            TEXT NOT NULL,
    day              TEXT NOT NULL, -- 2006-01-02, UTC, of the job's stoppedAt
    attempts         INTEGER NOT NULL,
    fargate_usd      REAL NOT NULL,
    fargate_spot_usd REAL NOT NULL
);

-- cost_days is the sum of job_costs per queue and day, kept with it in the
-- same transaction so that a queue's days are read without a scan.
CREATE TABLE cost_days (
    queue            TEXT NOT NULL,
    day              TEXT NOT NULL,
    fargate_usd      REAL NOT NULL,
    fargate_spot_usd REAL NOT NULL,
    jobs             INTEGER NOT NULL,
    PRIMARY KEY (queue, day)
);
