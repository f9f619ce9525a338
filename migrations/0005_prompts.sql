-- Answers to open trade-off prompts, self-graded against the rubric.
CREATE TABLE prompt_answers (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id     TEXT    NOT NULL REFERENCES deck_items (id),
    answer      TEXT    NOT NULL,
    -- JSON array of ticked rubric indexes, once graded.
    ticked      TEXT,
    score       REAL,
    answered_at INTEGER NOT NULL,
    graded_at   INTEGER
);
CREATE INDEX prompt_answers_user ON prompt_answers (user_id, item_id, answered_at);
