-- When an assignment's deck and topics were last added to its members' study sets (it opened,
-- or was edited after opening). NULL: not yet; the housekeeping task adds it once it opens.
ALTER TABLE assignments ADD COLUMN study_sets_at INTEGER;
