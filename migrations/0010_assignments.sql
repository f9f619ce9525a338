-- Assignments: a deck (or some of its topics) for a cohort, with dates and completion rules.
CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    cohort_id      INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    title          TEXT    NOT NULL,
    deck_id        TEXT    NOT NULL REFERENCES decks (id),
    -- A JSON array of topic ids; empty means the whole deck.
    topics         TEXT    NOT NULL DEFAULT '[]',
    prompts        INTEGER NOT NULL DEFAULT 0,
    opens_at       INTEGER NOT NULL,
    due_at         INTEGER NOT NULL,
    -- Completion rules: every one that is set must hold.
    rule_study_all INTEGER NOT NULL DEFAULT 0,
    rule_mastery   REAL,
    quiz_questions INTEGER,
    quiz_min_score REAL,
    quiz_attempts  INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (cohort_id, title)
);

-- One learner's own due date for an assignment.
CREATE TABLE assignment_extensions (
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_at        INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, user_id)
);

-- The first moment every rule of an assignment held for a learner (undone if the answer
-- that made it hold is undone).
CREATE TABLE assignment_completions (
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed_at  INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, user_id)
);
