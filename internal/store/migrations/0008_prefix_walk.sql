-- A job-name or job-definition prefix that matches a large share of a queue
-- is served by walking the queue's top-level jobs newest first and keeping
-- those whose name (or definition) starts with it: jobs_queue_seq now
-- carries both columns, so the walk reads no rows. (The name and definition
-- indexes still serve narrow prefixes; see ListJobs.)
DROP INDEX jobs_queue_seq;
CREATE INDEX jobs_queue_seq ON jobs (queue, seq, name_lc, jobdef_name)
    WHERE array_index IS NULL;
