//! The database: pools, pragmas, migrations, and the queries grouped by table.
//!
//! There are two pools. `read` has several connections for queries. `write` has exactly one
//! connection, and every write in the server goes through it: SQLite allows one writer at a
//! time, and funnelling writes through one connection means SQLITE_BUSY never reaches a user
//! (see "Measured" in PRODUCT.md). Transactions that read before they write also use
//! `BEGIN IMMEDIATE`, which keeps them safe against a second process such as the CLI.

pub mod decks;
pub mod params;
pub mod prompts;
pub mod quizzes;
pub mod resets;
pub mod rollups;
pub mod sessions;
pub mod study;
pub mod tokens;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

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

/// Handles to the database: many readers, one writer.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

impl Db {
    /// Opens (creating if needed) the database at `url` and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| "Invalid database URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .context("Failed to open the database for writing")?;
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .context("Failed to run database migrations")?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(true))
            .await
            .context("Failed to open the database for reading")?;
        Ok(Db { read, write })
    }

    /// Starts a write transaction that takes the write lock at once.
    pub async fn begin_write(&self) -> anyhow::Result<Transaction<'static, Sqlite>> {
        self.write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("Failed to start a write transaction")
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
