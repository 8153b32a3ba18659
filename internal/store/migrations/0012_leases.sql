-- Leases: which barge server leads (runs the scheduler, the runners and the
-- reconcilers) when several serve one database. One row per lease.
--
-- holder is the holding server's own random ID ('' when the lease was
-- released); token grows by one at each new holder and fences the holder's
-- writes (a write made under an older token is refused); renewals grows at
-- each renewal, so that a contender sees the holder alive without trusting
-- anyone's clock: a lease whose (token, renewals) has not changed for the
-- lease's duration, by the contender's own clock, is expired.
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    token    BIGINT NOT NULL,
    renewals BIGINT NOT NULL
);
