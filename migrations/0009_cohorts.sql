-- Cohorts: groups of learners with one or more instructors, joined with a code.
CREATE TABLE cohorts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    timezone      TEXT    NOT NULL,
    -- 8 characters from an alphabet without look-alikes; reset by instructors.
    join_code     TEXT    NOT NULL UNIQUE,
    -- The at-risk rule's thresholds (docs: cohorts).
    inactive_days INTEGER NOT NULL DEFAULT 7,
    max_overdue   INTEGER NOT NULL DEFAULT 50,
    min_retention REAL    NOT NULL DEFAULT 0.7,
    due_soon_days INTEGER NOT NULL DEFAULT 3,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);

-- Who is in a cohort, and as what. A removed learner keeps the row (and all their history)
-- with `removed_at` set until an instructor restores them; one who leaves loses the row.
CREATE TABLE cohort_members (
    cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('instructor', 'learner')),
    joined_at  INTEGER NOT NULL,
    removed_at INTEGER,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user ON cohort_members (user_id);
