//! Several statements sent to SQLite in one round trip.
//!
//! Each statement the write connection runs is a hand-off to sqlx's SQLite worker thread and
//! back. Under load on two cores a woken thread waits for a core, so a group commit spent most
//! of its time between its eight statements rather than in them. A script runs its statements
//! in order in one hand-off: the batch's `BEGIN` rides with the session and token touches, and
//! its `COMMIT` with the last answer statement.
//!
//! Parameters are written `?` and bind in order across the statements (sqlx numbers them on
//! from one statement to the next). Only the statement meant to return rows may do so. If a
//! statement fails, the ones before it have run: a script that holds `BEGIN` or `COMMIT`
//! leaves the caller to find out where the transaction stands (see `db::writer`).

use anyhow::Context;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, FromRow, SqliteConnection};

/// A value bound to a `?`.
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// Statements and their parameters, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    sql: String,
    binds: Vec<Bind>,
}

impl Script {
    /// A script of one statement.
    pub fn of(statement: &str) -> Script {
        let mut script = Script::default();
        script.push(statement, []);
        script
    }

    /// Appends a statement and the values of its `?` parameters.
    pub fn push(&mut self, statement: &str, binds: impl IntoIterator<Item = Bind>) -> &mut Self {
        self.sql.push_str(statement.trim().trim_end_matches(';'));
        self.sql.push_str(";\n");
        self.binds.extend(binds);
        self
    }

    /// Appends another script's statements after this one's.
    pub fn then(mut self, other: Script) -> Script {
        self.sql.push_str(&other.sql);
        self.binds.extend(other.binds);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }

    fn arguments(&self) -> anyhow::Result<SqliteArguments<'static>> {
        let mut args = SqliteArguments::default();
        for bind in &self.binds {
            match bind {
                Bind::Int(v) => args.add(*v),
                Bind::Text(v) => args.add(v.clone()),
            }
            .map_err(|e| anyhow::anyhow!("Failed to bind a parameter: {e}"))?;
        }
        Ok(args)
    }

    /// Runs the script, discarding any rows.
    pub async fn execute(&self, conn: &mut SqliteConnection) -> anyhow::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        sqlx::query_with(&self.sql, self.arguments()?)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("Failed to run {}", self.summary()))?;
        Ok(())
    }

    /// Runs the script and returns the rows its one row-returning statement gave.
    pub async fn fetch_all<R>(&self, conn: &mut SqliteConnection) -> anyhow::Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_as_with(&self.sql, self.arguments()?)
            .fetch_all(&mut *conn)
            .await
            .with_context(|| format!("Failed to run {}", self.summary()))
    }

    /// The first words of each statement, for error messages.
    fn summary(&self) -> String {
        self.sql
            .split(";\n")
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    #[tokio::test]
    async fn parameters_bind_in_order_across_statements_and_rows_come_from_the_one_select() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        Script::of("CREATE TABLE t (a INTEGER, b TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        let mut script = Script::default();
        script
            .push(
                "INSERT INTO t VALUES (?, ?)",
                [Bind::Int(1), Bind::Text("one".into())],
            )
            .push(
                "INSERT INTO t VALUES (?, ?)",
                [Bind::Int(2), Bind::Text("two".into())],
            );
        let script = script.then({
            let mut s = Script::default();
            s.push("SELECT a, b FROM t WHERE a >= ? ORDER BY a", [Bind::Int(2)]);
            s
        });
        let rows: Vec<(i64, String)> = script.fetch_all(&mut conn).await.unwrap();
        assert_eq!(rows, vec![(2, "two".to_owned())]);
    }

    #[tokio::test]
    async fn a_failing_statement_stops_the_script_and_names_itself() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let mut script = Script::of("CREATE TABLE t (a INTEGER NOT NULL)");
        script
            .push("INSERT INTO t VALUES (?)", [Bind::Int(1)])
            .push("INSERT INTO t VALUES (NULL)", [])
            .push("INSERT INTO t VALUES (?)", [Bind::Int(3)]);
        let e = script.execute(&mut conn).await.unwrap_err();
        assert!(format!("{e:#}").contains("INSERT INTO t"), "{e:#}");
        let rows: Vec<(i64,)> = Script::of("SELECT a FROM t")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(
            rows,
            vec![(1,)],
            "the statements before the failure ran, none after"
        );
    }
}
