-- Dependency edges: job_id waits for dep_id. Array children have edges of
-- their own (SEQUENTIAL: child i waits for child i-1; N_TO_N: child i waits
-- for child i of the other array; a plain dependency of an array: every
-- child waits for it). Finishing dep_id looks up its dependents by the
-- primary key; a job's prerequisites by job_deps_job.
CREATE TABLE job_deps (
    dep_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    PRIMARY KEY (dep_id, job_id)
);
CREATE INDEX job_deps_job ON job_deps (job_id);
