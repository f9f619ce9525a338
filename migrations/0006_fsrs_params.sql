-- Personal FSRS parameters, fitted from a learner's own study reviews.
CREATE TABLE fsrs_params (
    user_id          INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- JSON array of 21 numbers, or NULL while the defaults are in use.
    parameters       TEXT,
    log_loss_before  REAL,
    log_loss_after   REAL,
    -- 'keep' or 'discard': whether the last fit replaced the parameters.
    decision         TEXT,
    reviews_at_fit   INTEGER NOT NULL DEFAULT 0,
    fitted_at        INTEGER
);
