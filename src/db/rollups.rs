//! The review rollups (`review_rollups`, `recall_checks`): the review log summed per quarter
//! hour. [`record_all`] and [`retract_in`] run inside the answer and undo transactions, so the
//! rollups always match the log; `domain::progress::daily` defines what they hold.

use super::script::{Bind, Script};
use super::Db;
use crate::domain::progress::{
    bucket_of, contribution, Bucket, LoggedReview, RecallCheck, Source, BUCKET_MS,
};
use anyhow::Context;

/// The deck an item id (`deck-id/item-id`) belongs to.
fn deck_of(item_id: &str) -> &str {
    item_id.split_once('/').map_or("", |(deck, _)| deck)
}

/// When the card was last answered (not undone) before the answer with id `before_id`.
async fn previous_answer_at(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    item_id: &str,
    before_id: i64,
) -> anyhow::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT reviewed_at FROM reviews
         WHERE user_id = $1 AND item_id = $2 AND undone_at IS NULL AND id < $3
         ORDER BY reviewed_at DESC, id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(item_id)
    .bind(before_id)
    .fetch_optional(&mut *tx)
    .await
    .context("Failed to read the card's previous answer")
}

/// Adds `sign` times the bucket's sums to the learner's row for it.
async fn add_bucket(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    deck: &str,
    b: &Bucket,
    sign: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO review_rollups (user_id, bucket, deck_id, source, rating, answers,
             young_recalls, mature_recalls)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (user_id, bucket, deck_id, source, rating) DO UPDATE SET
             answers = answers + excluded.answers,
             young_recalls = young_recalls + excluded.young_recalls,
             mature_recalls = mature_recalls + excluded.mature_recalls",
    )
    .bind(user_id)
    .bind(b.bucket)
    .bind(deck)
    .bind(b.source.as_str())
    .bind(i64::from(b.rating.as_u8()))
    .bind(sign * i64::from(b.answers))
    .bind(sign * i64::from(b.young_recalls))
    .bind(sign * i64::from(b.mature_recalls))
    .execute(&mut *tx)
    .await
    .context("Failed to update the review rollups")?;
    Ok(())
}

async fn insert_check(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    review_id: i64,
    deck: &str,
    check: &RecallCheck,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO recall_checks (review_id, user_id, deck_id, reviewed_at, previous_at,
             mature, passed)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(review_id)
    .bind(user_id)
    .bind(deck)
    .bind(check.reviewed_at)
    .bind(check.previous_at)
    .bind(check.mature)
    .bind(check.passed)
    .execute(&mut *tx)
    .await
    .context("Failed to add a recall check")?;
    Ok(())
}

/// Adds (`sign` 1) or removes (`sign` -1) one answer's contribution.
async fn apply(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    review_id: i64,
    review: &LoggedReview,
    previous_at: Option<i64>,
    sign: i64,
) -> anyhow::Result<()> {
    let c = contribution(review, previous_at);
    let deck = deck_of(&review.item_id);
    add_bucket(&mut *tx, user_id, deck, &c.bucket, sign).await?;
    if sign < 0 {
        sqlx::query(
            "DELETE FROM review_rollups WHERE user_id = $1 AND bucket = $2 AND deck_id = $3
                 AND source = $4 AND rating = $5 AND answers <= 0",
        )
        .bind(user_id)
        .bind(c.bucket.bucket)
        .bind(deck)
        .bind(c.bucket.source.as_str())
        .bind(i64::from(c.bucket.rating.as_u8()))
        .execute(&mut *tx)
        .await
        .context("Failed to update the review rollups")?;
    }
    match c.check {
        Some(check) if sign > 0 => {
            insert_check(&mut *tx, user_id, review_id, deck, &check).await?;
        }
        Some(_) => {
            sqlx::query("DELETE FROM recall_checks WHERE review_id = $1")
                .bind(review_id)
                .execute(&mut *tx)
                .await
                .context("Failed to remove a recall check")?;
        }
        None => {}
    }
    Ok(())
}

/// One just-logged answer as the rollups take it in.
pub struct Logged {
    pub user_id: i64,
    pub review: LoggedReview,
    /// The card's previous answer time, read before this answer was logged.
    pub previous_at: Option<i64>,
    /// The card's version after the answer: with the user, card and time it finds the review.
    pub version_after: i64,
}

/// The statements that add just-logged answers, to run after their reviews are inserted in
/// the same transaction: one upsert of the summed buckets, and one insert of the recall checks
/// when there are any (each finds its review by user, card, time and version).
pub fn record_all(answers: &[Logged]) -> Script {
    use std::collections::BTreeMap;
    let mut script = Script::default();
    if answers.is_empty() {
        return script;
    }
    let mut by_owner: BTreeMap<(i64, &str), Vec<crate::domain::progress::Contribution>> =
        BTreeMap::new();
    let mut checks = Vec::new();
    for a in answers {
        let c = contribution(&a.review, a.previous_at);
        let deck = deck_of(&a.review.item_id);
        if let Some(check) = c.check {
            checks.push(serde_json::json!([
                a.user_id,
                deck,
                check.reviewed_at,
                check.previous_at,
                check.mature,
                check.passed,
                a.review.item_id,
                a.version_after,
            ]));
        }
        by_owner.entry((a.user_id, deck)).or_default().push(c);
    }
    let mut buckets = Vec::new();
    for ((user_id, deck), contributions) in by_owner {
        for b in crate::domain::progress::sum_buckets(contributions) {
            buckets.push(serde_json::json!([
                user_id,
                b.bucket,
                deck,
                b.source.as_str(),
                b.rating.as_u8(),
                b.answers,
                b.young_recalls,
                b.mature_recalls
            ]));
        }
    }
    script.push(
        "INSERT INTO review_rollups (user_id, bucket, deck_id, source, rating, answers,
             young_recalls, mature_recalls)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                value ->> 6, value ->> 7
         FROM json_each(?) WHERE true
         ON CONFLICT (user_id, bucket, deck_id, source, rating) DO UPDATE SET
             answers = answers + excluded.answers,
             young_recalls = young_recalls + excluded.young_recalls,
             mature_recalls = mature_recalls + excluded.mature_recalls",
        [Bind::Text(serde_json::Value::from(buckets).to_string())],
    );
    if !checks.is_empty() {
        script.push(
            "INSERT INTO recall_checks (review_id, user_id, deck_id, reviewed_at, previous_at,
                 mature, passed)
             SELECT r.id, c.value ->> 0, c.value ->> 1, c.value ->> 2, c.value ->> 3,
                    c.value ->> 4, c.value ->> 5
             FROM json_each(?) AS c
             JOIN reviews r ON r.user_id = c.value ->> 0 AND r.item_id = c.value ->> 6
                 AND r.reviewed_at = c.value ->> 2 AND r.version_after = c.value ->> 7
                 AND r.undone_at IS NULL",
            [Bind::Text(serde_json::Value::from(checks).to_string())],
        );
    }
    script
}

/// Takes an answer that is being undone back out, returning the card's previous answer time.
/// It must still be the card's newest answer, so its previous answer is the same as when it
/// was logged.
pub async fn retract_in(
    tx: &mut sqlx::SqliteConnection,
    user_id: i64,
    review_id: i64,
    review: &LoggedReview,
) -> anyhow::Result<Option<i64>> {
    let previous_at = previous_answer_at(tx, user_id, &review.item_id, review_id).await?;
    apply(tx, user_id, review_id, review, previous_at, -1).await?;
    Ok(previous_at)
}

/// Rebuilds a learner's rollups from their review log, in one write transaction: for logs
/// not written in time order (`tradeoff simulate` backdates answers), and as a repair.
pub async fn rebuild(db: &Db, user_id: i64) -> anyhow::Result<()> {
    db.write(move |tx| Box::pin(rebuild_in(tx, user_id))).await
}

async fn rebuild_in(tx: &mut sqlx::SqliteConnection, user_id: i64) -> anyhow::Result<()> {
    use std::collections::{BTreeMap, HashMap};
    for table in ["review_rollups", "recall_checks"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .context("Failed to clear the rollups")?;
    }
    type Row = (i64, String, u8, String, i64, String, Option<u32>);
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(id, item_id, rating, source, reviewed_at,
                    phase_before, scheduled))
         FROM (SELECT id, item_id, rating, source, reviewed_at, phase_before,
                      CASE WHEN phase_before = 'review'
                           THEN json_extract(state_before, '$.phase.scheduled_days') END
                          AS scheduled
               FROM reviews WHERE user_id = $1 AND undone_at IS NULL
               ORDER BY item_id, reviewed_at, id)",
    )
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await
    .context("Failed to read the review log")?;
    let mut rows: Vec<Row> = super::json_rows(json)?;
    rows.sort_by(|a, b| (&a.1, a.4, a.0).cmp(&(&b.1, b.4, b.0)));
    let mut last: HashMap<String, i64> = HashMap::new();
    let mut by_deck: BTreeMap<String, Vec<crate::domain::progress::Contribution>> = BTreeMap::new();
    for (id, item_id, rating, source, reviewed_at, phase_before, scheduled) in rows {
        let review = LoggedReview {
            rating: super::rating(rating.into())?,
            source: Source::from_name(&source),
            reviewed_at,
            phase_before: crate::domain::scheduler::PhaseKind::from_name(&phase_before),
            scheduled_days_before: scheduled,
            duration_ms: 0,
            item_id,
        };
        let c = contribution(&review, last.get(&review.item_id).copied());
        if let Some(check) = c.check {
            insert_check(&mut *tx, user_id, id, deck_of(&review.item_id), &check).await?;
        }
        by_deck
            .entry(deck_of(&review.item_id).to_owned())
            .or_default()
            .push(c);
        last.insert(review.item_id, reviewed_at);
    }
    for (deck, contributions) in by_deck {
        for b in crate::domain::progress::sum_buckets(contributions) {
            add_bucket(&mut *tx, user_id, &deck, &b, 1).await?;
        }
    }
    Ok(())
}

/// A learner's buckets (all of them: the longest streak looks back over the whole history)
/// and recall checks from `since` (Unix ms) on, for one deck or all.
pub async fn load(
    read: &mut sqlx::SqliteConnection,
    user_id: i64,
    since: i64,
    deck: Option<&str>,
) -> anyhow::Result<(Vec<Bucket>, Vec<RecallCheck>)> {
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(bucket, source, rating, answers, young_recalls,
                                            mature_recalls))
         FROM review_rollups
         WHERE user_id = $1 AND ($2 IS NULL OR deck_id = $2)",
    )
    .bind(user_id)
    .bind(deck)
    .fetch_one(&mut *read)
    .await
    .context("Failed to load the review rollups")?;
    let rows: Vec<(i64, String, u8, u32, u32, u32)> = super::json_rows(json)?;
    let mut buckets = Vec::with_capacity(rows.len());
    for (bucket, source, rating, answers, young_recalls, mature_recalls) in rows {
        buckets.push(Bucket {
            bucket,
            source: Source::from_name(&source),
            rating: super::rating(rating.into())?,
            answers,
            young_recalls,
            mature_recalls,
        });
    }
    let checks = sqlx::query_as::<_, (i64, i64, bool, bool)>(
        "SELECT reviewed_at, previous_at, mature, passed FROM recall_checks
         WHERE user_id = $1 AND reviewed_at >= $2 AND ($3 IS NULL OR deck_id = $3)",
    )
    .bind(user_id)
    .bind(bucket_of(since) * BUCKET_MS)
    .bind(deck)
    .fetch_all(&mut *read)
    .await
    .context("Failed to load the recall checks")?
    .into_iter()
    .map(|(reviewed_at, previous_at, mature, passed)| RecallCheck {
        reviewed_at,
        previous_at,
        mature,
        passed,
    })
    .collect();
    Ok((buckets, checks))
}
