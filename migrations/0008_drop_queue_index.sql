-- The study queue is computed in memory from a learner's card rows (`domain::queue`), so no
-- query looks card states up by phase and due time any more. Dropping the index saves a page
-- write per answer in every group commit.
DROP INDEX IF EXISTS card_states_queue;
