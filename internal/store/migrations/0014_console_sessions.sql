-- Console sessions of servers that share a database: one row per signed-in
-- browser, so that every server accepts a sign-in taken by any of them and a
-- sign-out ends the session on all of them. The browser's cookie holds a
-- random token; the row is keyed by the token's SHA-256, so that the
-- database holds nothing a browser could present.
CREATE TABLE console_sessions (
    token_hash    TEXT PRIMARY KEY,
    access_key_id TEXT NOT NULL,
    csrf          TEXT NOT NULL,
    expires       BIGINT NOT NULL -- Unix milliseconds
);
CREATE INDEX console_sessions_expires ON console_sessions (expires);
