-- Quizzes: saved definitions, attempts, and every graded answer.

-- A quiz definition. Learners make their own; instructors will assign them to cohorts.
CREATE TABLE quizzes (
    id               INTEGER PRIMARY KEY,
    owner_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deck_id          TEXT    NOT NULL REFERENCES decks (id),
    -- JSON array of topic ids; empty means the whole deck.
    topics           TEXT    NOT NULL,
    -- Either a total, or a number per topic.
    question_count   INTEGER NOT NULL,
    per_topic        INTEGER NOT NULL DEFAULT 0,
    mode             TEXT    NOT NULL CHECK (mode IN ('practice', 'exam')),
    time_limit_s     INTEGER,
    attempts_allowed INTEGER,
    feed_schedule    INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL
);

CREATE TABLE quiz_attempts (
    id           INTEGER PRIMARY KEY,
    quiz_id      INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seed         INTEGER NOT NULL,
    -- JSON: the questions as presented (ids and shuffles); never sent to the client as is.
    questions    TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    deadline_at  INTEGER,
    closed_at    INTEGER,
    closed_by    TEXT CHECK (closed_by IN ('submitted', 'time_limit')),
    score        REAL,
    max_score    REAL
);
CREATE INDEX quiz_attempts_user ON quiz_attempts (user_id, started_at);
CREATE INDEX quiz_attempts_quiz ON quiz_attempts (quiz_id, user_id);

-- One graded answer; kept with its attempt so facility and discrimination can be computed per
-- question for a group of learners.
CREATE TABLE quiz_answers (
    attempt_id  INTEGER NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    score       REAL    NOT NULL,
    answered_at INTEGER NOT NULL,
    -- Exam answers feed the schedule at submit; this marks that it happened.
    fed         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX quiz_answers_item ON quiz_answers (item_id, attempt_id);
