-- The first schema of barge's store.
--
-- {{seq_pk}} and {{blob}} are the dialect's auto-assigned integer primary key
-- and byte-string type (see dialect.go). Every table keys its rows by a
-- sequence, so that listings page in creation order with a cursor that new
-- rows never disturb.

-- Compute environments, job queues and scheduling policies are small tables
-- that are read far more often than written. data is the JSON of the domain
-- struct. The name could be the primary key; keying by seq instead makes the
-- creation order the table's own order, and the UNIQUE name costs the same
-- one index a name key would.
CREATE TABLE compute_environments (
    seq  {{seq_pk}},
    name TEXT NOT NULL UNIQUE,
    data {{blob}} NOT NULL
);

CREATE TABLE job_queues (
    seq  {{seq_pk}},
    name TEXT NOT NULL UNIQUE,
    data {{blob}} NOT NULL
);

CREATE TABLE scheduling_policies (
    seq  {{seq_pk}},
    name TEXT NOT NULL UNIQUE,
    data {{blob}} NOT NULL
);

-- Job definitions: one row per revision. status is a column of its own
-- because listings and LatestActiveJobDefinition filter on it.
CREATE TABLE job_definitions (
    seq      {{seq_pk}},
    name     TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status   TEXT NOT NULL,
    data     {{blob}} NOT NULL,
    -- Get by (name, revision), the latest active revision of a name, and
    -- the revisions of a name, all by a seek.
    UNIQUE (name, revision)
);

-- DescribeJobDefinitions by status across all names (status=ACTIVE is what
-- consoles ask for). Definitions are rarely written, so the index is cheap.
CREATE INDEX job_definitions_status ON job_definitions (status, seq);

-- The highest revision ever registered per name. Revisions are never reused,
-- even after a revision is deregistered or its row someday purged, so the
-- counter cannot be derived from job_definitions.
CREATE TABLE job_definition_names (
    name          TEXT PRIMARY KEY,
    last_revision INTEGER NOT NULL
);

-- Jobs: the hot table, built for millions of rows and thousands of inserts a
-- second. seq is the submission order; InsertJobs numbers the jobs itself,
-- continuing from the last, so that one statement can insert many.
--
-- A row holds the columns that queries filter on and two JSON documents:
-- spec, what SubmitJob fixed (NULL on array children, which take their
-- parent's), and state, the mutable rest (status reason, attempts, runtime,
-- cancel/terminate flags; NULL while there is nothing to say). spec is last
-- because SQLite reads a row's columns in order.
--
-- An array child has array_parent and array_index set; a top-level job has
-- both NULL. Queries test for top-level jobs with "array_index IS NULL",
-- because array_index is also the last column of jobs_queue_status, so that
-- index alone answers the test.
--
-- name_lc, jobdef_name and jobdef_arn exist only to be filtered on, and only
-- top-level jobs are filtered on them (AWS applies ListJobs filters to
-- top-level jobs), so they are NULL on children.
--
-- created_at never decreases as seq grows: InsertJobs raises a job's
-- created_at to its predecessor's if the clock went back. A created-at bound
-- thus becomes a seq bound, and needs no index of its own.
CREATE TABLE jobs (
    seq          {{seq_pk}},
    id           TEXT NOT NULL UNIQUE, -- GetJobs, UpdateJob, duplicate IDs
    queue        TEXT NOT NULL,
    status       TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_lc      TEXT,
    jobdef_name  TEXT,
    jobdef_arn   TEXT,
    share_id     TEXT,
    array_parent TEXT,
    array_index  INTEGER,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL DEFAULT 0,
    stopped_at   INTEGER NOT NULL DEFAULT 0,
    state        {{blob}},
    spec         {{blob}}
);

-- The jobs of a queue in a status, in submission order: ListJobs by status
-- (top-level jobs) and the scheduler's scan of RUNNABLE jobs (children
-- included). Holds every job, since the scheduler places children one by
-- one. The trailing array_index answers "top-level?" without reading rows,
-- so a listing skips a large array's children cheaply.
CREATE INDEX jobs_queue_status ON jobs (queue, status, seq, array_index);

-- The children of an array job by status: listing them (with or without a
-- status) and counting them per status, without touching the table.
CREATE INDEX jobs_children ON jobs (array_parent, status, seq)
    WHERE array_parent IS NOT NULL;

-- ListJobs filtered by job name, exact or by prefix (a range on the
-- lower-cased name). name_lc is set on top-level jobs only, so the index
-- holds only them, and a filter on name_lc implies the partial condition
-- without testing array_index: the index alone answers the filter.
-- (PostgreSQL must compare these names bytewise, COLLATE "C", for the
-- prefix ranges to hold.)
CREATE INDEX jobs_queue_name ON jobs (queue, name_lc, seq)
    WHERE name_lc IS NOT NULL;

-- ListJobs filtered by job definition: by name, name prefix or ARN (an ARN
-- names its definition, so the name narrows the search). Top-level only, as
-- the name index.
CREATE INDEX jobs_queue_jobdef ON jobs (queue, jobdef_name, seq)
    WHERE jobdef_name IS NOT NULL;

-- All top-level jobs of a queue in submission order, whatever their status:
-- ListJobs with a created-at filter (as a seq range) or no filter at all.
CREATE INDEX jobs_queue_seq ON jobs (queue, seq)
    WHERE array_index IS NULL;
