-- What the leader publishes for the servers that share its database and do
-- not lead: one row per view ('waits': what its scheduler's last pass saw,
-- the ground of the reasons why RUNNABLE jobs wait). token is the leader
-- lease's term that wrote it, so that a reader takes it only from the
-- leader of the current term; version grows by one at each write, so that a
-- reader reads body only when it changed.
CREATE TABLE leader_views (
    name    TEXT PRIMARY KEY,
    token   BIGINT NOT NULL,
    version BIGINT NOT NULL,
    body    {{blob}} NOT NULL
);
