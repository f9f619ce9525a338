//! The write seam: one task owns the only write connection, and every write in the server is
//! a command sent to it.
//!
//! The task takes whatever commands are waiting (group commit) and runs them in one
//! `BEGIN IMMEDIATE` transaction, so a burst of answers costs one fsync, not one each:
//! - answers ([`Command::Answer`]) go in set-based statements: one multi-row upsert of card
//!   states whose `WHERE version = …` decides which answers are stale, one multi-row review
//!   insert, one rollup upsert (`db::study::record_answers_in`);
//! - session and token touches are coalesced into one `UPDATE … FROM json_each` each and
//!   need no reply;
//! - every other write is a [`Job`]: a closure over the connection, run in its own
//!   `SAVEPOINT`, so one failing job is rolled back alone and never poisons the batch; its
//!   after-COMMIT hook (cache invalidation) runs on this task, whether or not its caller
//!   still waits.
//!
//! The statements travel to SQLite in as few round trips as they can ([`super::script`]): the
//! `BEGIN` goes with the touches, and with no jobs in the batch the `COMMIT` goes with the
//! review insert, so a batch of answers costs three hand-offs to SQLite's thread.
//!
//! A caller gets its reply only after COMMIT (or the error if COMMIT failed), so a success
//! response always means the write is durable under the configured `synchronous` level.
//!
//! This module owns the connection and the batching; it knows nothing of what the jobs do.

use std::any::Any;
use std::collections::HashMap;

use anyhow::Context;
use futures_util::future::BoxFuture;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use super::script::Script;
use super::study::{AnswerHook, AnswerRecord, Recorded, Stale};

/// The most commands one transaction takes; more wait for the next one.
const MAX_BATCH: usize = 1024;
/// How many commands may wait before senders wait too (back-pressure, not a limit).
const QUEUE: usize = 8192;

type Erased = Box<dyn Any + Send>;

/// A write that is not one of the hot commands: it runs inside the batch's transaction, in a
/// savepoint of its own. An `Err` rolls back to the savepoint and goes to the caller.
pub type Job = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, anyhow::Result<Erased>> + Send,
>;

/// Work the writer does after a job's batch committed, whether or not its caller still waits
/// (a dropped request must not skip invalidating a cache).
pub type AfterCommit = Box<dyn FnOnce() + Send>;

/// The result of one answer: recorded, or stale (another answer moved the card on).
pub type AnswerResult = anyhow::Result<Result<Recorded, Stale>>;

/// A typed command for the writer.
pub enum Command {
    Answer {
        record: AnswerRecord,
        reply: oneshot::Sender<AnswerResult>,
        after: Option<AnswerHook>,
    },
    /// A session was used at `now` (no reply: losing one is harmless).
    TouchSession { id_hash: String, now: i64 },
    /// An API token was used at `now` (no reply).
    TouchToken { id: i64, now: i64 },
    Job {
        job: Job,
        reply: oneshot::Sender<anyhow::Result<Erased>>,
        after: Option<AfterCommit>,
    },
}

/// The handle services use; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    tx: mpsc::Sender<Command>,
}

impl Writer {
    /// Starts the writer task on `conn` (which must be the only write connection).
    pub fn start(conn: SqliteConnection) -> Writer {
        let (tx, rx) = mpsc::channel(QUEUE);
        // The writer gets a thread and runtime of its own: between its round trips to SQLite's
        // thread it is woken often, and on a shared runtime it would wait behind request tasks.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the database writer");
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || runtime.block_on(run(conn, rx)))
            .expect("a thread for the database writer");
        Writer { tx }
    }

    async fn send(&self, command: Command) -> anyhow::Result<()> {
        self.tx
            .send(command)
            .await
            .map_err(|_| anyhow::anyhow!("The database writer has stopped"))
    }

    /// Records one answer in the next batch; the reply comes after COMMIT.
    pub async fn answer(&self, record: AnswerRecord) -> AnswerResult {
        self.answer_then(record, None).await
    }

    /// [`Writer::answer`], with `after` run on the writer after COMMIT, before the reply.
    pub async fn answer_then(
        &self,
        record: AnswerRecord,
        after: Option<AnswerHook>,
    ) -> AnswerResult {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Answer {
            record,
            reply,
            after,
        })
        .await?;
        answer
            .await
            .context("The database writer dropped an answer")?
    }

    /// Runs `job` in the next batch, in a savepoint of its own; the result comes after COMMIT.
    /// `after` runs on the writer once the batch committed, before the reply is sent.
    pub async fn run<T, F>(&self, job: F, after: Option<AfterCommit>) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, anyhow::Result<T>>
            + Send
            + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move { job(conn).await.map(|t| Box::new(t) as Erased) })
        });
        self.send(Command::Job { job, reply, after }).await?;
        let erased = result
            .await
            .context("The database writer dropped a job")??;
        erased
            .downcast::<T>()
            .map(|t| *t)
            .map_err(|_| anyhow::anyhow!("A write job returned the wrong type"))
    }

    /// Notes that a session was used; written with the next batch, no reply.
    pub fn touch_session(&self, id_hash: String, now: i64) {
        // A full queue only delays `last_seen_at`, which is refreshed minutes apart anyway.
        let _ = self.tx.try_send(Command::TouchSession { id_hash, now });
    }

    /// Notes that a token was used; written with the next batch, no reply.
    pub fn touch_token(&self, id: i64, now: i64) {
        let _ = self.tx.try_send(Command::TouchToken { id, now });
    }
}

/// Where an answer's result goes: its caller, after the hook has seen it.
type AnswerReply = (oneshot::Sender<AnswerResult>, Option<AnswerHook>);

/// The commands of one batch, sorted by kind.
#[derive(Default)]
struct Batch {
    answers: Vec<(AnswerRecord, AnswerReply)>,
    sessions: HashMap<String, i64>,
    tokens: HashMap<i64, i64>,
    jobs: Vec<(
        Job,
        oneshot::Sender<anyhow::Result<Erased>>,
        Option<AfterCommit>,
    )>,
}

impl Batch {
    fn add(&mut self, command: Command) {
        match command {
            Command::Answer {
                record,
                reply,
                after,
            } => self.answers.push((record, (reply, after))),
            Command::TouchSession { id_hash, now } => {
                let seen = self.sessions.entry(id_hash).or_insert(now);
                *seen = (*seen).max(now);
            }
            Command::TouchToken { id, now } => {
                let seen = self.tokens.entry(id).or_insert(now);
                *seen = (*seen).max(now);
            }
            Command::Job { job, reply, after } => self.jobs.push((job, reply, after)),
        }
    }

    /// Fails every waiting caller with the same error (the transaction did not commit).
    fn fail(self, error: &anyhow::Error) {
        let message = format!("{error:#}");
        for (_, (reply, _)) in self.answers {
            let _ = reply.send(Err(anyhow::anyhow!("{message}")));
        }
        for (_, reply, _) in self.jobs {
            let _ = reply.send(Err(anyhow::anyhow!("{message}")));
        }
    }
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Command>) {
    while let Some(first) = rx.recv().await {
        let mut batch = Batch::default();
        batch.add(first);
        let mut taken = 1;
        while taken < MAX_BATCH {
            match rx.try_recv() {
                Ok(command) => {
                    batch.add(command);
                    taken += 1;
                }
                Err(_) => break,
            }
        }
        let (answers, jobs) = (batch.answers.len(), batch.jobs.len());
        let started = std::time::Instant::now();
        commit(&mut conn, batch).await;
        tracing::debug!(
            answers,
            jobs,
            us = started.elapsed().as_micros() as u64,
            "batch committed"
        );
    }
    let _ = conn.close().await;
}

/// Runs one batch in one transaction and answers every caller after COMMIT.
async fn commit(conn: &mut SqliteConnection, batch: Batch) {
    if let Err(e) = begin(conn, &batch.sessions, &batch.tokens).await {
        let e = e.context("Failed to start a write transaction");
        tracing::error!(error = ?e, "write batch failed");
        return batch.fail(&e);
    }
    let Batch { answers, jobs, .. } = batch;
    let (records, answer_replies): (Vec<_>, Vec<_>) = answers.into_iter().unzip();
    // The answers' last round trip also commits when no job follows them.
    let commit_with_answers = jobs.is_empty() && !records.is_empty();
    let (answer_results, committed) = answer_all(conn, records, commit_with_answers).await;
    let mut job_results = Vec::with_capacity(jobs.len());
    let mut job_replies = Vec::with_capacity(jobs.len());
    let mut afters = Vec::new();
    for (job, reply, after) in jobs {
        job_results.push(in_savepoint(conn, job).await);
        job_replies.push(reply);
        afters.extend(after);
    }
    let outcome = match committed {
        true => Ok(()),
        false => Script::of("COMMIT").execute(&mut *conn).await,
    };
    match outcome {
        Ok(()) => {
            for after in afters {
                after();
            }
            for ((reply, after), result) in answer_replies.into_iter().zip(answer_results) {
                if let (Some(after), Ok(result)) = (after, &result) {
                    after(result);
                }
                let _ = reply.send(result);
            }
            for (reply, result) in job_replies.into_iter().zip(job_results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            let e = e.context("Failed to commit a write batch");
            tracing::error!(error = ?e, "write batch failed");
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            let message = format!("{e:#}");
            for (reply, _) in answer_replies {
                let _ = reply.send(Err(anyhow::anyhow!("{message}")));
            }
            for reply in job_replies {
                let _ = reply.send(Err(anyhow::anyhow!("{message}")));
            }
        }
    }
}

/// Opens the batch's transaction, with its session and token touches in the same round trip.
/// Touches only refresh "last seen" times and never hold up real writes: if they fail, the
/// transaction is opened again without them.
async fn begin(
    conn: &mut SqliteConnection,
    sessions: &HashMap<String, i64>,
    tokens: &HashMap<i64, i64>,
) -> anyhow::Result<()> {
    let script = Script::of("BEGIN IMMEDIATE")
        .then(super::sessions::touch_all(sessions))
        .then(super::tokens::touch_all(tokens));
    let Err(e) = script.execute(&mut *conn).await else {
        return Ok(());
    };
    tracing::warn!(error = ?e, "failed to open a write batch with its touches");
    restart(conn).await
}

/// Opens the savepoint one command runs in. (The helpers here return boxed futures: without
/// them the compiler cannot prove the writer task's future `Send`, a known limit of its
/// reasoning about borrows held across awaits.)
fn savepoint(conn: &mut SqliteConnection) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move {
        sqlx::query("SAVEPOINT command")
            .execute(&mut *conn)
            .await
            .context("Failed to open a savepoint")?;
        Ok(())
    })
}

/// Closes the savepoint: kept when the command succeeded, rolled back alone when it failed.
fn release<T: Send + 'static>(
    conn: &mut SqliteConnection,
    result: anyhow::Result<T>,
) -> BoxFuture<'_, anyhow::Result<T>> {
    Box::pin(async move {
        if result.is_err() {
            sqlx::query("ROLLBACK TO command")
                .execute(&mut *conn)
                .await
                .context("Failed to roll back a savepoint")?;
        }
        sqlx::query("RELEASE command")
            .execute(&mut *conn)
            .await
            .context("Failed to close a savepoint")?;
        result
    })
}

async fn in_savepoint(conn: &mut SqliteConnection, job: Job) -> anyhow::Result<Erased> {
    savepoint(conn).await?;
    let result = job(&mut *conn).await;
    release(conn, result).await
}

/// Records some answers set-based, in a savepoint.
///
/// Boxed so the writer task's future is provably `Send` (the compiler cannot prove it for
/// borrowed slices held across awaits otherwise).
fn answer_set<'a>(
    conn: &'a mut SqliteConnection,
    records: &'a [AnswerRecord],
) -> BoxFuture<'a, anyhow::Result<Vec<Result<Recorded, Stale>>>> {
    Box::pin(async move {
        savepoint(conn).await?;
        let result = super::study::record_answers_in(&mut *conn, records, Script::default()).await;
        release(conn, result).await
    })
}

/// Records the batch's answers set-based; with `commit`, the transaction commits in the same
/// round trip, and the flag returned says whether it did. They run first in the transaction
/// and outside any savepoint (two statements fewer per commit): if the set fails as a whole
/// (it should not: answers are validated before they are sent), the transaction is rolled
/// back, which loses nothing else, and each answer is retried alone in a savepoint so a bad
/// one fails alone; the caller then commits.
async fn answer_all(
    conn: &mut SqliteConnection,
    records: Vec<AnswerRecord>,
    commit: bool,
) -> (Vec<AnswerResult>, bool) {
    if records.is_empty() {
        return (Vec::new(), false);
    }
    let tail = match commit {
        true => Script::of("COMMIT"),
        false => Script::default(),
    };
    let e = match super::study::record_answers_in(&mut *conn, &records, tail).await {
        Ok(results) => return (results.into_iter().map(Ok).collect(), commit),
        Err(e) => e,
    };
    tracing::warn!(error = ?e, "answer batch failed; retrying each answer alone");
    if let Err(restart) = restart(conn).await {
        let message = format!("{restart:#}");
        let failed = records
            .iter()
            .map(|_| Err(anyhow::anyhow!("{message}")))
            .collect();
        return (failed, false);
    }
    let mut results = Vec::with_capacity(records.len());
    for i in 0..records.len() {
        let one = answer_set(conn, &records[i..=i])
            .await
            .and_then(|mut r| r.pop().context("No result for an answer"));
        results.push(one);
    }
    (results, false)
}

/// Rolls back whatever transaction is open (a failed script may or may not have opened one)
/// and starts a new one.
fn restart(conn: &mut SqliteConnection) -> BoxFuture<'_, anyhow::Result<()>> {
    Box::pin(async move {
        // "No transaction is active" is the one error expected here.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::study::{card_state, AnswerRecord, Recorded, Stale};
    use crate::db::{Db, Synchronous};
    use crate::domain::progress::Source;
    use crate::domain::scheduler::{CardState, Rating, Scheduler, SettingsInput};

    const NOW: i64 = 1_750_000_000_000;

    /// A database with one learner and the cards `deck/a`, `deck/b` and `deck/c`.
    async fn seeded() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = Db::connect(&url, Synchronous::Full).await.unwrap();
        db.write(|c| {
            Box::pin(async move {
                for sql in [
                    "INSERT INTO users (id, email, password_hash, role, created_at)
                         VALUES (1, 'l@example.org', 'x', 'learner', 0)",
                    "INSERT INTO decks (id, title, source_path, content, synced_at)
                         VALUES ('deck', 'Deck', 'deck.toml', '{}', 0)",
                    "INSERT INTO deck_items (id, deck_id, item_id, kind, topic, position, content,
                                             created_at, updated_at)
                         VALUES ('deck/a', 'deck', 'a', 'card', 't', 0, '{}', 0, 0),
                                ('deck/b', 'deck', 'b', 'card', 't', 1, '{}', 0, 0),
                                ('deck/c', 'deck', 'c', 'card', 't', 2, '{}', 0, 0)",
                ] {
                    sqlx::query(sql).execute(&mut *c).await?;
                }
                Ok(())
            })
        })
        .await
        .unwrap();
        (dir, db)
    }

    /// A first answer (Good) to a new card, expecting `version`.
    fn good(item: &str, version: i64) -> AnswerRecord {
        let settings =
            crate::domain::scheduler::Settings::try_from(SettingsInput::default()).unwrap();
        let rated = crate::domain::study::rate(
            &Scheduler::default(),
            &settings,
            item,
            &CardState::NEW,
            Rating::Good,
            NOW,
            true,
        )
        .unwrap();
        AnswerRecord {
            user_id: 1,
            item_id: item.into(),
            rating: Rating::Good,
            source: Source::Study,
            now: NOW,
            elapsed_days: 0,
            duration_ms: 1000,
            before: CardState::NEW,
            after: rated.after,
            expected_version: version,
            previous_at: None,
        }
    }

    /// Holds the writer inside a job until the returned sender fires, so that whatever is sent
    /// meanwhile lands in one batch.
    async fn hold(db: &Db) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (release, wait) = oneshot::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let writer = db.clone();
        let held = tokio::spawn(async move {
            writer
                .write(move |_| {
                    Box::pin(async move {
                        let _ = started.send(());
                        let _ = wait.await;
                        Ok(())
                    })
                })
                .await
                .unwrap();
        });
        running.await.unwrap();
        (release, held)
    }

    /// Sends `answers` so that they land in one batch; their results in order.
    async fn in_one_batch(db: &Db, answers: Vec<AnswerRecord>) -> Vec<super::AnswerResult> {
        let (release, held) = hold(db).await;
        let pending: Vec<_> = answers
            .into_iter()
            .map(|a| {
                let db = db.clone();
                tokio::spawn(async move { db.writer().answer(a).await })
            })
            .collect();
        // Every answer is queued before the writer is let go.
        while db.writer().tx.capacity() > QUEUE - pending.len() {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        held.await.unwrap();
        let mut results = Vec::new();
        for p in pending {
            results.push(p.await.unwrap());
        }
        results
    }

    async fn batch(db: &Db, answers: Vec<AnswerRecord>) -> Vec<Result<Recorded, Stale>> {
        let results = in_one_batch(db, answers).await;
        results.into_iter().map(|r| r.unwrap()).collect()
    }

    async fn review_count(db: &Db) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM reviews")
            .fetch_one(&db.read)
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stale_answer_in_the_middle_of_a_batch_fails_alone_and_the_rest_commit() {
        let (_dir, db) = seeded().await;
        let results = batch(
            &db,
            vec![good("deck/a", 0), good("deck/b", 7), good("deck/c", 0)],
        )
        .await;
        assert!(results[0].is_ok(), "first answer: {:?}", results[0]);
        assert_eq!(results[1], Err(Stale));
        assert!(results[2].is_ok(), "last answer: {:?}", results[2]);
        assert_eq!(review_count(&db).await, 2);
        assert_eq!(card_state(&db, 1, "deck/a").await.unwrap().version, 1);
        assert_eq!(card_state(&db, 1, "deck/b").await.unwrap().version, 0);
        assert_eq!(card_state(&db, 1, "deck/c").await.unwrap().version, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_answers_to_one_card_in_one_batch_let_exactly_the_first_win() {
        let (_dir, db) = seeded().await;
        let results = batch(&db, vec![good("deck/a", 0), good("deck/a", 0)]).await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{results:?}");
        assert_eq!(review_count(&db).await, 1);
        assert_eq!(card_state(&db, 1, "deck/a").await.unwrap().version, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_is_rolled_back_alone_and_its_batch_commits() {
        let (_dir, db) = seeded().await;
        let (release, held) = hold(&db).await;
        let failing = {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(|c| {
                    Box::pin(async move {
                        sqlx::query("UPDATE users SET timezone = 'Europe/Paris' WHERE id = 1")
                            .execute(&mut *c)
                            .await?;
                        anyhow::bail!("refused after writing")
                    })
                })
                .await
            })
        };
        let answer = {
            let db = db.clone();
            tokio::spawn(async move { db.writer().answer(good("deck/a", 0)).await })
        };
        while db.writer().tx.capacity() > QUEUE - 2 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        held.await.unwrap();
        let failed: anyhow::Result<()> = failing.await.unwrap();
        assert!(failed.is_err());
        assert!(answer.await.unwrap().unwrap().is_ok());
        let tz: String = sqlx::query_scalar("SELECT timezone FROM users WHERE id = 1")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(tz, "UTC", "the failed job's write was rolled back");
        assert_eq!(review_count(&db).await, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_answer_expecting_a_version_a_new_card_never_had_is_stale() {
        let (_dir, db) = seeded().await;
        let result = db.writer().answer(good("deck/a", 3)).await.unwrap();
        assert_eq!(result, Err(Stale));
        assert_eq!(review_count(&db).await, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_answer_that_fails_in_the_database_fails_alone_and_the_batch_commits() {
        let (_dir, db) = seeded().await;
        // No such item: its card state breaks the foreign key, so the set-based statements
        // fail and every answer is retried alone.
        let answers = vec![
            good("deck/a", 0),
            good("deck/missing", 0),
            good("deck/c", 0),
        ];
        let results = in_one_batch(&db, answers).await;
        assert!(matches!(results[0], Ok(Ok(_))), "{:?}", results[0]);
        assert!(results[1].is_err(), "{:?}", results[1]);
        assert!(matches!(results[2], Ok(Ok(_))), "{:?}", results[2]);
        assert_eq!(review_count(&db).await, 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cache_is_invalidated_after_commit_even_when_the_caller_has_gone() {
        let (_dir, db) = seeded().await;
        let cache = &db.cache.settings;
        cache.put(cache.epoch(), 1, SettingsInput::default());
        let (release, held) = hold(&db).await;
        let caller = {
            let db = db.clone();
            tokio::spawn(async move {
                db.write_then(
                    |c| {
                        Box::pin(async move {
                            sqlx::query("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = 1")
                                .execute(&mut *c)
                                .await?;
                            Ok(())
                        })
                    },
                    |caches| caches.settings.invalidate(),
                )
                .await
            })
        };
        while db.writer().tx.capacity() > QUEUE - 1 {
            tokio::task::yield_now().await;
        }
        caller.abort(); // the request went away while its write waited
        release.send(()).unwrap();
        held.await.unwrap();
        // A later job in the same queue has committed once this returns.
        db.write(|_| Box::pin(async { Ok(()) })).await.unwrap();
        assert!(cache.get(&1).is_none(), "the hook ran after COMMIT");
        let tz: String = sqlx::query_scalar("SELECT timezone FROM users WHERE id = 1")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(tz, "Asia/Tokyo", "the write itself committed");
    }
}
