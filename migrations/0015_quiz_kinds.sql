-- The question kinds a learner chose for a quiz (JSON array of kind names); empty: every kind.
ALTER TABLE quizzes ADD COLUMN kinds TEXT NOT NULL DEFAULT '[]';
