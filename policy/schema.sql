-- subid policy database, schema version 1.
--
-- Written only by the admin side (subidctl today, subid-admind later); read by
-- the setuid-free helpers through a read-only connection. Every lookup the
-- helpers make is an index range scan keyed by the caller's uid.
--
-- Ids are host ids, 0 … 4294967294; a range is [first, first + count).

PRAGMA user_version = 1;

CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
) WITHOUT ROWID;

-- Subordinate uid ('uid') and gid ('gid') ranges, bound to the owner's uid;
-- the name is kept for the exported shadow-format files.
CREATE TABLE ranges (
        id          INTEGER PRIMARY KEY,
        kind        TEXT    NOT NULL CHECK (kind IN ('uid', 'gid')),
        owner_uid   INTEGER NOT NULL CHECK (owner_uid BETWEEN 0 AND 4294967294),
        owner_name  TEXT    NOT NULL CHECK (length(owner_name) BETWEEN 1 AND 256),
        first       INTEGER NOT NULL CHECK (first BETWEEN 0 AND 4294967294),
        count       INTEGER NOT NULL CHECK (count >= 1 AND first + count <= 4294967295),
        created_at  INTEGER NOT NULL,
        origin      TEXT    NOT NULL DEFAULT 'grant'   -- grant, import, auto, pam
);
-- Authorisation: all ranges of one owner and kind.
CREATE INDEX ranges_by_owner ON ranges (owner_uid, kind, first, count);
-- Overlap checks and who-owns: the range starting at or before an id.
CREATE INDEX ranges_by_first ON ranges (kind, first, count);

-- A host group's gid delegated to one user (exported as "user:GID:1" in
-- subgid). Honoured by newgidmap only while the user is a member of the group.
CREATE TABLE delegations (
        id          INTEGER PRIMARY KEY,
        gid         INTEGER NOT NULL CHECK (gid BETWEEN 0 AND 4294967294),
        group_name  TEXT    NOT NULL,
        owner_uid   INTEGER NOT NULL CHECK (owner_uid BETWEEN 0 AND 4294967294),
        owner_name  TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        granted_by  INTEGER,                 -- uid of the admin, NULL for policy "self"
        UNIQUE (owner_uid, gid)
);
CREATE INDEX delegations_by_gid ON delegations (gid);

-- Ranges taken back from a revoked or deleted owner. Never handed out again
-- by automatic allocation; an explicit grant to the same uid may reclaim them.
CREATE TABLE quarantine (
        id           INTEGER PRIMARY KEY,
        kind         TEXT    NOT NULL CHECK (kind IN ('uid', 'gid')),
        first        INTEGER NOT NULL CHECK (first BETWEEN 0 AND 4294967294),
        count        INTEGER NOT NULL CHECK (count >= 1 AND first + count <= 4294967295),
        former_uid   INTEGER NOT NULL,
        former_name  TEXT    NOT NULL,
        reason       TEXT    NOT NULL,       -- revoke, userdel, import
        since        INTEGER NOT NULL
);
CREATE INDEX quarantine_by_first ON quarantine (kind, first, count);
CREATE INDEX quarantine_by_owner ON quarantine (former_uid);

-- Which groups members may ask to have delegated, and how it is decided.
CREATE TABLE group_policies (
        gid         INTEGER PRIMARY KEY NOT NULL,
        group_name  TEXT    NOT NULL,
        policy      TEXT    NOT NULL CHECK (policy IN ('self', 'approve')),
        set_at      INTEGER NOT NULL,
        set_by      INTEGER
);

-- Delegation requests by users; decided by an admin or by group policy.
CREATE TABLE requests (
        id          INTEGER PRIMARY KEY,
        owner_uid   INTEGER NOT NULL,
        owner_name  TEXT    NOT NULL,
        gid         INTEGER NOT NULL,
        group_name  TEXT    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
        reason      TEXT,
        created_at  INTEGER NOT NULL,
        decided_at  INTEGER,
        decided_by  INTEGER
);
CREATE INDEX requests_by_state ON requests (state, id);
CREATE UNIQUE INDEX requests_one_pending ON requests (owner_uid, gid) WHERE state = 'pending';
