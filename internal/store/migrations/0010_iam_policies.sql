-- IAM: customer managed policies with their versions, and instance
-- profiles. Names are unique in the account regardless of case, as roles'
-- are (name_key is the lower-case name). AWS managed policies are not
-- stored: barge knows them from a table; only their attachments to roles
-- are (role_attached_policies).

CREATE TABLE managed_policies (
    arn             TEXT PRIMARY KEY,
    name_key        TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    id              TEXT NOT NULL UNIQUE,
    path            TEXT NOT NULL,
    description     TEXT NOT NULL,
    default_version INTEGER NOT NULL, -- v<n>
    last_version    INTEGER NOT NULL, -- the highest n handed out; never reused
    created_at      INTEGER NOT NULL, -- Unix milliseconds
    updated_at      INTEGER NOT NULL, -- when the default version last changed
    tags            {{blob}}          -- JSON [{"Key":..,"Value":..}], NULL if none
);

CREATE TABLE managed_policy_versions (
    policy_arn TEXT NOT NULL, -- managed_policies.arn
    version    INTEGER NOT NULL,
    document   TEXT NOT NULL, -- as the client sent it
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_arn, version)
);

-- ListEntitiesForPolicy and DeletePolicy look attachments up by policy.
CREATE INDEX role_attached_policies_arn ON role_attached_policies (policy_arn);

-- An instance profile holds at most one role (role_key, NULL for none).
CREATE TABLE instance_profiles (
    name_key   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    path       TEXT NOT NULL,
    arn        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tags       {{blob}},
    role_key   TEXT -- roles.name_key
);
CREATE INDEX instance_profiles_role ON instance_profiles (role_key);
