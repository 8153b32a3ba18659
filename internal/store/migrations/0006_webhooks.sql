-- The webhook outbox: job state change events waiting to be delivered to a
-- webhook. A row is written once barge has seen the change (after the job's
-- own write committed), and deleted once the webhook answered 2xx or barge
-- gave up on it; so what is here is exactly what is still owed, across
-- restarts.
--
-- url names the webhook the row is for (the configuration file's entry);
-- body is the EventBridge event JSON, fixed when the row is written, so that
-- every attempt sends the same bytes with the same event_id.
CREATE TABLE webhook_outbox (
    seq        {{seq_pk}},
    url        TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    body       {{blob}} NOT NULL,
    created_at INTEGER NOT NULL, -- Unix milliseconds
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL, -- Unix milliseconds: not before
    last_error TEXT
);

-- The deliveries due, soonest first.
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at, seq);
