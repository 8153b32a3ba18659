-- IAM roles and their policies.
--
-- IAM role names are unique regardless of case (MyRole and myrole cannot
-- both exist) and are looked up the same way, so rows are keyed by the
-- lower-cased name, name_key; name keeps the case the role was created with.
-- Listings go in name_key order, which is also what their markers resume
-- from, so a role deleted between two pages does not lose the place.
CREATE TABLE roles (
    name_key             TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    id                   TEXT NOT NULL UNIQUE,
    path                 TEXT NOT NULL,
    arn                  TEXT NOT NULL,
    created_at           INTEGER NOT NULL, -- Unix milliseconds
    assume_role_policy   TEXT NOT NULL,    -- the trust policy as sent
    description          TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL, -- seconds
    permissions_boundary TEXT NOT NULL,    -- a policy ARN, or ''
    tags                 {{blob}}          -- JSON [{"Key":..,"Value":..}], NULL if none
);

-- Managed policies attached to a role, in attachment order (seq). A role
-- holds at most a handful (AWS's quota is 10), so the unique index is the
-- only one needed: it answers both "is it attached?" and the listing.
CREATE TABLE role_attached_policies (
    seq        {{seq_pk}},
    role_key   TEXT NOT NULL, -- roles.name_key
    policy_arn TEXT NOT NULL,
    UNIQUE (role_key, policy_arn)
);

-- Inline policies, listed by name. size is the document's length without
-- white space, the measure of IAM's per-role quota, kept so that the quota
-- check sums a column rather than re-reading every document.
CREATE TABLE role_inline_policies (
    role_key TEXT NOT NULL, -- roles.name_key
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    size     INTEGER NOT NULL,
    PRIMARY KEY (role_key, name)
);
