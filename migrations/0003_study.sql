-- Spaced-repetition study: per-learner settings, the decks each learner studies, card states
-- and the append-only review log.

-- A missing row means the defaults. The timezone lives on `users`.
CREATE TABLE study_settings (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    desired_retention   REAL    NOT NULL,
    learning_steps      TEXT    NOT NULL,
    relearning_steps    TEXT    NOT NULL,
    max_interval_days   INTEGER NOT NULL,
    day_start_hour      INTEGER NOT NULL,
    new_cards_per_day   INTEGER NOT NULL,
    max_reviews_per_day INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- The decks in a learner's study set.
CREATE TABLE study_decks (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deck_id  TEXT    NOT NULL REFERENCES decks (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, deck_id)
);

-- Chosen topics of a deck in the study set; none means the whole deck.
CREATE TABLE study_topics (
    user_id INTEGER NOT NULL,
    deck_id TEXT    NOT NULL,
    topic   TEXT    NOT NULL,
    PRIMARY KEY (user_id, deck_id, topic),
    FOREIGN KEY (user_id, deck_id) REFERENCES study_decks (user_id, deck_id) ON DELETE CASCADE
);

-- The current scheduling state of a card for a learner. `state` is the scheduler's full
-- state as JSON (full precision); the other scheduling columns copy it for queries.
-- `version` only moves forward: every change, including undo, increments it.
CREATE TABLE card_states (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id        TEXT    NOT NULL REFERENCES deck_items (id),
    phase          TEXT    NOT NULL CHECK (phase IN ('new', 'learning', 'review', 'relearning')),
    due            INTEGER,
    stability      REAL,
    difficulty     REAL,
    scheduled_days INTEGER,
    reps           INTEGER NOT NULL DEFAULT 0,
    lapses         INTEGER NOT NULL DEFAULT 0,
    last_review_at INTEGER,
    state          TEXT    NOT NULL,
    suspended      INTEGER NOT NULL DEFAULT 0,
    buried_until   INTEGER,
    leech          INTEGER NOT NULL DEFAULT 0,
    -- Higher comes first in the new queue (a wrong quiz answer raises it).
    new_priority   INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX card_states_queue ON card_states (user_id, phase, due);

-- Every answer, kept for as long as the account exists. Undo marks a row, never deletes it.
CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id        TEXT    NOT NULL REFERENCES deck_items (id),
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    source         TEXT    NOT NULL CHECK (source IN ('study', 'ahead', 'quiz')),
    reviewed_at    INTEGER NOT NULL,
    elapsed_days   INTEGER NOT NULL,
    duration_ms    INTEGER NOT NULL,
    phase_before   TEXT    NOT NULL,
    state_before   TEXT    NOT NULL,
    state_after    TEXT    NOT NULL,
    version_before INTEGER NOT NULL,
    version_after  INTEGER NOT NULL,
    undone_at      INTEGER
);
CREATE INDEX reviews_user_time ON reviews (user_id, reviewed_at);
CREATE INDEX reviews_user_item ON reviews (user_id, item_id, reviewed_at);
