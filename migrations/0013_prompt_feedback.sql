-- An instructor's feedback on a member's answer to an assigned trade-off prompt: the rubric
-- as they ticked it, a score (0-1) and a Markdown comment. One per answer and cohort (a learner
-- in two cohorts gets each cohort's); giving it again replaces it.
CREATE TABLE prompt_feedback (
    prompt_answer_id INTEGER NOT NULL REFERENCES prompt_answers (id) ON DELETE CASCADE,
    cohort_id        INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    instructor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    rubric           TEXT    NOT NULL,
    score            REAL    NOT NULL,
    comment          TEXT    NOT NULL,
    given_at         INTEGER NOT NULL,
    PRIMARY KEY (prompt_answer_id, cohort_id)
);
