-- CloudWatch Logs: log groups, log streams and their events.
--
-- Groups and streams are few and small; events are the bulk: a job can
-- write a hundred thousand lines, and a server keeps millions. Events name
-- their group and stream by number, not by name (a name is up to 512 bytes,
-- repeated on every row and in both indexes otherwise).
--
-- Deleting a group or stream deletes its row at once and its events later,
-- in bounded batches (see log_purges): deleting a million events in one
-- write would hold up every other write for seconds. Until then the events
-- are orphans, which no reader sees, because group and stream numbers are
-- never reused: a group or stream created again under the same name gets a
-- new number.

-- The last group or stream number handed out. The store numbers groups and
-- streams itself (UPDATE ... RETURNING), so that numbers are never reused
-- whatever the database: an integer key assigned by the database may reuse
-- the number of the newest row once it is deleted.
CREATE TABLE log_ids (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
INSERT INTO log_ids (name, last) VALUES ('log', 0);

-- Log groups, keyed by name: DescribeLogGroups lists them in name order
-- (byte order: PostgreSQL must compare these names COLLATE "C").
-- retention_days is NULL when events never expire; tags is the JSON of the
-- tag map, NULL when there are none.
CREATE TABLE log_groups (
    name           TEXT PRIMARY KEY,
    id             INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    retention_days INTEGER,
    class          TEXT NOT NULL,
    tags           {{blob}}
);

-- Log streams. first_event, last_event and last_ingestion are 0 until the
-- stream has events. Looked up by (group_id, name) and listed in name order
-- by the unique index.
CREATE TABLE log_streams (
    id             INTEGER PRIMARY KEY,
    group_id       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    first_event    INTEGER NOT NULL DEFAULT 0,
    last_event     INTEGER NOT NULL DEFAULT 0,
    last_ingestion INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
);

-- DescribeLogStreams with orderBy=LastEventTime.
CREATE INDEX log_streams_last_event ON log_streams (group_id, last_event, name);

-- Log events. seq is the order of ingestion, across all streams; an event's
-- place in its stream is (timestamp, seq): CloudWatch Logs orders events by
-- timestamp, and those of one timestamp in the order they came.
CREATE TABLE log_events (
    seq       {{seq_pk}},
    group_id  INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    ingested  INTEGER NOT NULL,
    message   TEXT NOT NULL
);

-- GetLogEvents: one stream's events in time order, read from either end or
-- from a token's position, by a seek.
CREATE INDEX log_events_stream ON log_events (stream_id, timestamp, seq);

-- FilterLogEvents across the streams of a group, in time order, and the
-- expiry of a group's events older than its retention.
CREATE INDEX log_events_group ON log_events (group_id, timestamp, seq);

-- Groups and streams deleted whose events are still to delete: id is the
-- group's or the stream's number, is_group says which.
CREATE TABLE log_purges (
    id       INTEGER PRIMARY KEY,
    is_group INTEGER NOT NULL
);
