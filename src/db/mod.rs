//! The database: pools, pragmas, migrations, and the queries grouped by table.
//!
//! `read` is a pool of several read-only connections for queries. Every write goes through
//! the one [`writer::Writer`], a task that owns the only write connection and commits what is
//! waiting in one `BEGIN IMMEDIATE` transaction (group commit): SQLite allows one writer at
//! a time, so SQLITE_BUSY never reaches a user, and a burst of answers shares one fsync (see
//! "Measured" in PRODUCT.md). `BEGIN IMMEDIATE` also keeps it safe against a second process
//! such as the CLI.
//!
//! Services call the functions of these modules with domain values and get domain values
//! back; no sqlx type leaves `db/`.

pub mod assignments;
pub mod cache;
pub mod cohorts;
pub mod dashboard;
pub mod decks;
pub mod export;
pub mod feedback;
pub mod params;
pub mod progress;
pub mod prompts;
pub mod quizzes;
pub mod resets;
pub mod rollups;
pub(crate) mod script;
pub mod sessions;
pub mod study;
pub mod tokens;
pub mod users;
pub mod writer;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use futures_util::future::BoxFuture;
use sqlx::sqlite::SqliteRow;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection, SqlitePool};

/// A statement for the writer: its SQL and arguments owned, so it can travel to the task.
pub(crate) type WriteQuery =
    sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'static>>;

/// WAL pages between automatic checkpoints (SQLite's default is 1,000).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// How hard SQLite pushes each commit to disk (`TRADEOFF_SYNCHRONOUS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Synchronous {
    /// fsync at every commit: an acknowledged answer survives a power cut (the default).
    #[default]
    Full,
    /// fsync only at WAL checkpoints: survives a crash of the process, but a power cut can
    /// lose the last acknowledged commits. Faster on slow disks.
    Normal,
}

/// Decodes the one value of a query that gathers many rows into a JSON array with
/// `json_group_array(json_array(...))`. For thousands of rows this is several times faster than
/// fetching them one by one: SQLite builds the text in C and serde reads it in one pass.
pub fn json_rows<T: serde::de::DeserializeOwned>(json: Option<String>) -> anyhow::Result<Vec<T>> {
    serde_json::from_str(json.as_deref().unwrap_or("[]")).context("Failed to decode JSON rows")
}

/// A stored rating (the columns' CHECK constraints keep it within 1-4).
pub fn rating(value: i64) -> anyhow::Result<crate::domain::scheduler::Rating> {
    u8::try_from(value)
        .ok()
        .and_then(|v| crate::domain::scheduler::Rating::try_from(v).ok())
        .with_context(|| format!("Stored rating {value} is not 1-4"))
}

/// Whether a write failed on a UNIQUE constraint (a duplicate the caller reports as such).
pub(crate) fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .is_some_and(|e| e.is_unique_violation())
}

/// Handles to the database: many readers, one writer.
/// 32 MiB (a negative size is in KiB); the read connections keep SQLite's 2 MiB default, since
/// the hot reads are served from the in-process caches.
const WRITER_CACHE_SIZE: &str = "PRAGMA cache_size = -32768";

#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    writer: writer::Writer,
    pub(crate) cache: std::sync::Arc<cache::Caches>,
}

impl Db {
    /// Opens (creating if needed) the database at `url`, runs the migrations and starts the
    /// writer task (so it needs a Tokio runtime).
    pub async fn connect(url: &str, synchronous: Synchronous) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "Invalid database URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match synchronous {
                Synchronous::Full => SqliteSynchronous::Full,
                Synchronous::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            // Checkpoint every ~40 MB of WAL rather than 4 MB: a group commit of many
            // learners' answers dirties hundreds of pages, and a page rewritten by many
            // commits between checkpoints is copied into the database file only once.
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            // Statement journals (a multi-row upsert inside the batch's transaction opens
            // one) stay in memory instead of a temporary file.
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(10));
        let mut write = options
            .connect()
            .await
            .context("Failed to open the database for writing")?;
        // The writer's page cache holds the hot part of the card-state and review indexes,
        // so a batch rarely reads a page back from the file.
        sqlx::query(WRITER_CACHE_SIZE)
            .execute(&mut write)
            .await
            .context("Failed to size the writer's page cache")?;
        sqlx::migrate!("./migrations")
            .run(&mut write)
            .await
            .context("Failed to run database migrations")?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await
            .context("Failed to open the database for reading")?;
        Ok(Db {
            read,
            writer: writer::Writer::start(write),
            cache: Default::default(),
        })
    }

    /// The write seam.
    pub fn writer(&self) -> &writer::Writer {
        &self.writer
    }

    /// Runs `job` on the write connection, in the next group commit and a savepoint of its
    /// own; `Err` rolls it back alone. The result comes after COMMIT.
    pub(crate) async fn write<T, F>(&self, job: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, anyhow::Result<T>>
            + Send
            + 'static,
    {
        self.writer.run(job, None).await
    }

    /// [`Db::write`], then `invalidate` the caches the job changed: on the writer, right
    /// after COMMIT, even if the caller has gone away meanwhile.
    pub(crate) async fn write_then<T, F>(
        &self,
        job: F,
        invalidate: impl FnOnce(&cache::Caches) + Send + 'static,
    ) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, anyhow::Result<T>>
            + Send
            + 'static,
    {
        let caches = self.cache.clone();
        let after: writer::AfterCommit = Box::new(move || invalidate(&caches));
        self.writer.run(job, Some(after)).await
    }

    /// [`Db::execute`] with [`Db::write_then`]'s invalidation.
    pub(crate) async fn execute_then(
        &self,
        query: WriteQuery,
        invalidate: impl FnOnce(&cache::Caches) + Send + 'static,
    ) -> anyhow::Result<u64> {
        self.write_then(
            move |c| Box::pin(async move { Ok(query.execute(&mut *c).await?.rows_affected()) }),
            invalidate,
        )
        .await
    }

    /// Runs one statement on the writer (see [`Db::write`]).
    pub(crate) async fn execute(&self, query: WriteQuery) -> anyhow::Result<u64> {
        self.write(move |c| {
            Box::pin(async move { Ok(query.execute(&mut *c).await?.rows_affected()) })
        })
        .await
    }

    /// Runs one statement that returns a row (`RETURNING`) on the writer.
    pub(crate) async fn fetch_one(&self, query: WriteQuery) -> anyhow::Result<SqliteRow> {
        self.write(move |c| Box::pin(async move { Ok(query.fetch_one(&mut *c).await?) }))
            .await
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .context("Database did not answer")?;
        Ok(())
    }

    /// Writes a consistent copy of the live database to `path` (safe while serving).
    pub async fn backup_to(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let target = path
            .to_str()
            .context("Backup path is not valid UTF-8")?
            .to_owned();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await
            .context("Failed to write the backup")?;
        Ok(())
    }
}
