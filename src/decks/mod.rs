//! The decks folder: reading files ([`check`]) and syncing them into the database.
//!
//! Sync runs at start-up, on `tradeoff decks sync`, and from the admin page. Items are keyed
//! by `deck/item`, so a wording change updates an item in place and keeps every learner's
//! progress. A file that fails validation is skipped, its errors logged and stored for the
//! admin page, and its last good version stays live.

pub mod check;
pub mod show;

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

pub use check::{check_path, CheckReport, FileReport};

use crate::db::{self, decks::DeckChanges, Db};
use crate::domain::deck::catalog::catalog;

/// What a sync did.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    /// Decks that validated, with what changed in each.
    #[schema(value_type = Vec<Object>)]
    pub synced: Vec<(String, DeckChanges)>,
    /// Files that failed validation (their last good version stays live).
    pub failed: Vec<String>,
    /// Decks whose file is gone; they are hidden, their history kept.
    pub retired: Vec<String>,
}

/// Syncs every deck file in `folder` into the database.
pub async fn sync(db: &Db, folder: &Path, now: i64) -> anyhow::Result<SyncReport> {
    if !folder.is_dir() {
        tracing::warn!(folder = %folder.display(), "decks folder not found; no decks synced");
        return Ok(SyncReport::default());
    }
    let dir = folder.to_path_buf();
    let report = tokio::task::spawn_blocking(move || check_path(&dir))
        .await
        .context("Deck reading task failed")?;

    let mut out = SyncReport::default();
    let mut errors = Vec::new();
    let mut present = Vec::new();
    for file in report.files {
        present.push(file.path.clone());
        match file.deck {
            Some(deck) => {
                let changes =
                    db::decks::upsert_deck(db, &deck, &file.path, &catalog(&deck), now).await?;
                for w in &file.diagnostics {
                    tracing::info!("{}", w.display(&file.path));
                }
                out.synced.push((deck.id, changes));
            }
            None => {
                let text = file
                    .diagnostics
                    .iter()
                    .map(|d| d.display(&file.path).to_string())
                    .collect::<Vec<_>>()
                    .join("\n");
                tracing::warn!(path = %file.path, "deck file failed validation; keeping its last good version:\n{text}");
                errors.push((file.path.clone(), text));
                out.failed.push(file.path);
            }
        }
    }
    db::decks::set_errors(db, &errors, now).await?;
    out.retired = db::decks::retire_missing(db, &present, now).await?;
    for (id, c) in &out.synced {
        tracing::info!(deck = %id, added = c.added, updated = c.updated, retired = c.retired, restored = c.restored, "deck synced");
    }
    Ok(out)
}
