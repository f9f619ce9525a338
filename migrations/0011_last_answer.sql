-- When each card was last answered (any source, undone answers excluded). The answer path
-- reads it from the learner's cached row instead of querying the log in every group commit;
-- the version check guarantees the cached value belongs to the row it checks.
ALTER TABLE card_states ADD COLUMN last_answer_at INTEGER;
UPDATE card_states SET last_answer_at = (
    SELECT MAX(r.reviewed_at) FROM reviews r
    WHERE r.user_id = card_states.user_id AND r.item_id = card_states.item_id
      AND r.undone_at IS NULL
);
