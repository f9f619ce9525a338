-- The review log summed per quarter hour, so the statistics page reads a few thousand rows
-- however long a learner's history is. `domain::progress::daily` defines the rules; the write
-- path (`db::rollups`) adds every answer and subtracts it again on undo.

-- Answers per learner, deck, quarter hour (`bucket` = floor(reviewed_at / 900000)), source
-- and rating. `young_recalls` and `mature_recalls` count the true-retention tests among them
-- that were certainly the card's first answer of the study day (its previous answer was at
-- least 26 hours earlier, or it had none).
CREATE TABLE review_rollups (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bucket         INTEGER NOT NULL,
    deck_id        TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    rating         INTEGER NOT NULL,
    answers        INTEGER NOT NULL,
    young_recalls  INTEGER NOT NULL,
    mature_recalls INTEGER NOT NULL,
    PRIMARY KEY (user_id, bucket, deck_id, source, rating)
) WITHOUT ROWID;

-- True-retention tests whose card had been answered less than 26 hours before: whether they
-- were the first answer of their study day depends on the learner's calendar, so the time of
-- that previous answer is kept and the question is settled when the figures are read.
CREATE TABLE recall_checks (
    review_id   INTEGER PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deck_id     TEXT    NOT NULL,
    reviewed_at INTEGER NOT NULL,
    previous_at INTEGER NOT NULL,
    mature      INTEGER NOT NULL,
    passed      INTEGER NOT NULL
);
CREATE INDEX recall_checks_user_time ON recall_checks (user_id, reviewed_at);

-- backfill: the same rules over the reviews logged before this migration.
CREATE TEMP TABLE rollup_source AS
SELECT id, user_id, substr(item_id, 1, instr(item_id, '/') - 1) AS deck_id, rating, source,
       reviewed_at,
       source = 'study' AND phase_before = 'review' AS recall,
       COALESCE(CASE WHEN phase_before = 'review'
                     THEN json_extract(state_before, '$.phase.scheduled_days') END, 0) >= 21
           AS mature,
       LAG(reviewed_at) OVER (PARTITION BY user_id, item_id ORDER BY reviewed_at, id)
           AS previous_at
FROM reviews
WHERE undone_at IS NULL;

INSERT INTO review_rollups (user_id, bucket, deck_id, source, rating, answers, young_recalls,
                            mature_recalls)
SELECT user_id, (reviewed_at - (((reviewed_at % 900000) + 900000) % 900000)) / 900000, deck_id,
       source, rating, COUNT(*),
       SUM(recall AND NOT mature
           AND (previous_at IS NULL OR reviewed_at - previous_at >= 93600000)),
       SUM(recall AND mature
           AND (previous_at IS NULL OR reviewed_at - previous_at >= 93600000))
FROM rollup_source
GROUP BY 1, 2, 3, 4, 5;

INSERT INTO recall_checks (review_id, user_id, deck_id, reviewed_at, previous_at, mature, passed)
SELECT id, user_id, deck_id, reviewed_at, previous_at, mature, rating <> 1
FROM rollup_source
WHERE recall AND previous_at IS NOT NULL AND reviewed_at - previous_at < 93600000;

DROP TABLE rollup_source;
