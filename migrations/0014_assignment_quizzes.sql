-- A learner's quiz for an assignment's quiz rule: one per (learner, assignment), created on the
-- first attempt; its attempts count towards the rule.
ALTER TABLE quizzes ADD COLUMN assignment_id INTEGER REFERENCES assignments (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX quizzes_assignment ON quizzes (assignment_id, owner_id)
    WHERE assignment_id IS NOT NULL;
