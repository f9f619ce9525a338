//! Clean-up the server does on its own, through the write seam: sessions that expired and
//! password-reset links that were used or expired are deleted every [`EVERY`], and once at
//! start-up. Nothing here touches a learner's study data.

use std::time::Duration;

use crate::auth::session::IDLE_MS;
use crate::db::{self, Db};

/// How often the sweep runs.
pub const EVERY: Duration = Duration::from_secs(3600);

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub reset_links: u64,
}

/// Deletes what can no longer be used as of `now` (Unix ms).
pub async fn sweep(db: &Db, now: i64) -> anyhow::Result<Swept> {
    Ok(Swept {
        sessions: db::sessions::purge_expired(db, now, now - IDLE_MS).await?,
        reset_links: db::resets::purge(db, now).await?,
    })
}

/// Runs [`sweep`] now and then every [`EVERY`], for as long as the runtime lives.
pub fn spawn(db: Db, clock: crate::clock::Clock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match sweep(&db, clock.now()).await {
                Ok(swept) => tracing::debug!(?swept, "housekeeping"),
                Err(e) => tracing::warn!(error = ?e, "housekeeping failed"),
            }
        }
    });
}
