//! Queries on `decks`, `deck_items` and `deck_errors`.

use std::collections::HashSet;

use anyhow::Context;
use sqlx::Row;

use super::Db;
use crate::domain::deck::catalog::CatalogItem;
use crate::domain::deck::Deck;

/// What one deck's sync changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeckChanges {
    pub added: usize,
    pub updated: usize,
    pub retired: usize,
    pub restored: usize,
}

/// Stores a validated deck and its items in one transaction: new items are added, changed
/// ones updated in place (same id, so progress stays), missing ones retired, returning ones
/// restored.
pub async fn upsert_deck(
    db: &Db,
    deck: &Deck,
    source_path: &str,
    items: &[CatalogItem],
    now: i64,
) -> anyhow::Result<DeckChanges> {
    let content = serde_json::to_string(deck).context("Failed to serialize deck")?;
    let (deck, source_path, items) = (deck.clone(), source_path.to_owned(), items.to_vec());
    db.write_then(
        move |tx| Box::pin(upsert_deck_in(tx, deck, source_path, items, content, now)),
        move |c| {
            c.catalogue_changed();
        },
    )
    .await
}

async fn upsert_deck_in(
    tx: &mut sqlx::SqliteConnection,
    deck: Deck,
    source_path: String,
    items: Vec<CatalogItem>,
    content: String,
    now: i64,
) -> anyhow::Result<DeckChanges> {
    sqlx::query(
        "INSERT INTO decks (id, title, source_path, content, synced_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, source_path = excluded.source_path,
             content = excluded.content, synced_at = excluded.synced_at, retired_at = NULL",
    )
    .bind(&deck.id)
    .bind(&deck.title)
    .bind(&source_path)
    .bind(&content)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("Failed to store deck")?;

    let existing = sqlx::query("SELECT id, content, retired_at FROM deck_items WHERE deck_id = $1")
        .bind(&deck.id)
        .fetch_all(&mut *tx)
        .await
        .context("Failed to load deck items")?;
    let mut changes = DeckChanges::default();
    let mut known = std::collections::HashMap::new();
    for row in &existing {
        let id: String = row.try_get("id")?;
        let content: String = row.try_get("content")?;
        let retired: Option<i64> = row.try_get("retired_at")?;
        known.insert(id, (content, retired.is_some()));
    }
    let mut present = HashSet::new();
    for item in &items {
        present.insert(item.id.as_str());
        let content = item.content.to_string();
        match known.get(&item.id) {
            Some((old, retired)) if *old == content && !retired => continue,
            Some((_, retired)) => {
                if *retired {
                    changes.restored += 1;
                } else {
                    changes.updated += 1;
                }
            }
            None => changes.added += 1,
        }
        sqlx::query(
            "INSERT INTO deck_items
                 (id, deck_id, item_id, kind, topic, generated, position, content, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, topic = excluded.topic,
                 generated = excluded.generated, position = excluded.position,
                 content = excluded.content, updated_at = excluded.updated_at, retired_at = NULL",
        )
        .bind(&item.id)
        .bind(&deck.id)
        .bind(&item.item_id)
        .bind(item.kind.as_str())
        .bind(&item.topic)
        .bind(item.generated)
        .bind(item.position as i64)
        .bind(&content)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("Failed to store deck item")?;
    }
    for (id, (_, retired)) in &known {
        if !retired && !present.contains(id.as_str()) {
            sqlx::query("UPDATE deck_items SET retired_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("Failed to retire deck item")?;
            changes.retired += 1;
        }
    }
    Ok(changes)
}

/// Retires decks whose file is gone (not merely broken), with their items.
pub async fn retire_missing(
    db: &Db,
    present_paths: &[String],
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let present_paths = present_paths.to_vec();
    db.write_then(
        move |tx| {
            Box::pin(async move {
                let rows =
                    sqlx::query("SELECT id, source_path FROM decks WHERE retired_at IS NULL")
                        .fetch_all(&mut *tx)
                        .await
                        .context("Failed to list decks")?;
                let mut retired = Vec::new();
                for row in rows {
                    let id: String = row.try_get("id")?;
                    let path: String = row.try_get("source_path")?;
                    if present_paths.contains(&path) {
                        continue;
                    }
                    sqlx::query("UPDATE decks SET retired_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
            "UPDATE deck_items SET retired_at = $1 WHERE deck_id = $2 AND retired_at IS NULL",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
                    retired.push(id);
                }
                Ok(retired)
            })
        },
        move |c| {
            c.catalogue_changed();
        },
    )
    .await
}

/// Replaces the list of files that failed validation.
pub async fn set_errors(db: &Db, errors: &[(String, String)], now: i64) -> anyhow::Result<()> {
    let errors = errors.to_vec();
    db.write(move |tx| {
        Box::pin(async move {
            sqlx::query("DELETE FROM deck_errors")
                .execute(&mut *tx)
                .await
                .context("Failed to clear deck errors")?;
            for (path, diagnostics) in &errors {
                sqlx::query(
                    "INSERT INTO deck_errors (path, diagnostics, seen_at) VALUES ($1, $2, $3)",
                )
                .bind(path)
                .bind(diagnostics)
                .bind(now)
                .execute(&mut *tx)
                .await
                .context("Failed to store deck errors")?;
            }
            Ok(())
        })
    })
    .await
}

/// A file that failed validation at the last sync.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeckError {
    pub path: String,
    /// `path:line:col: error: message` lines.
    pub diagnostics: String,
    pub seen_at: i64,
}

pub async fn errors(db: &Db) -> anyhow::Result<Vec<DeckError>> {
    let rows = sqlx::query("SELECT path, diagnostics, seen_at FROM deck_errors ORDER BY path")
        .fetch_all(&db.read)
        .await
        .context("Failed to load deck errors")?;
    rows.iter()
        .map(|r| {
            Ok(DeckError {
                path: r.try_get("path")?,
                diagnostics: r.try_get("diagnostics")?,
                seen_at: r.try_get("seen_at")?,
            })
        })
        .collect()
}

/// Every live deck, parsed.
pub async fn live(db: &Db) -> anyhow::Result<std::sync::Arc<Vec<Deck>>> {
    let cache = &db.cache.decks;
    if let Some(hit) = cache.get(&()) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let decks = std::sync::Arc::new(load_live(db).await?);
    cache.put(epoch, (), decks.clone());
    Ok(decks)
}

/// A deck's counts, as `tradeoff check` prints them; computed once per sync.
pub fn summary(db: &Db, deck: &Deck) -> crate::domain::deck::DeckSummary {
    let cache = &db.cache.summaries;
    if let Some(hit) = cache.get(&deck.id) {
        return hit;
    }
    let epoch = cache.epoch();
    let summary = crate::domain::deck::DeckSummary::of(deck);
    cache.put(epoch, deck.id.clone(), summary.clone());
    summary
}

async fn load_live(db: &Db) -> anyhow::Result<Vec<Deck>> {
    let rows = sqlx::query("SELECT content FROM decks WHERE retired_at IS NULL ORDER BY title")
        .fetch_all(&db.read)
        .await
        .context("Failed to list decks")?;
    rows.iter()
        .map(|r| {
            let content: String = r.try_get("content")?;
            serde_json::from_str(&content).context("Stored deck is not valid JSON")
        })
        .collect()
}

/// One live deck, parsed.
pub async fn find_live(db: &Db, id: &str) -> anyhow::Result<Option<Deck>> {
    let content: Option<String> =
        sqlx::query_scalar("SELECT content FROM decks WHERE id = $1 AND retired_at IS NULL")
            .bind(id)
            .fetch_optional(&db.read)
            .await
            .context("Failed to load deck")?;
    content
        .map(|c| serde_json::from_str(&c).context("Stored deck is not valid JSON"))
        .transpose()
}

/// Every live deck's topic titles, by (deck, topic), without parsing whole decks.
pub async fn topic_titles(
    db: &Db,
) -> anyhow::Result<std::collections::HashMap<(String, String), String>> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, json_extract(content, '$.topics') FROM decks WHERE retired_at IS NULL",
    )
    .fetch_all(&db.read)
    .await
    .context("Failed to load topics")?;
    let mut titles = std::collections::HashMap::new();
    for (deck, topics) in rows {
        let topics: Vec<crate::domain::deck::Topic> =
            serde_json::from_str(topics.as_deref().unwrap_or("[]"))
                .context("Stored topics are not valid")?;
        for t in topics {
            titles.insert((deck.clone(), t.id), t.title);
        }
    }
    Ok(titles)
}

/// One deck, retired or not (for history that must stay readable).
pub async fn find_any(db: &Db, id: &str) -> anyhow::Result<Option<Deck>> {
    let content: Option<String> = sqlx::query_scalar("SELECT content FROM decks WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
        .context("Failed to load deck")?;
    content
        .map(|c| serde_json::from_str(&c).context("Stored deck is not valid JSON"))
        .transpose()
}

/// A deck with its questions, authored and generated, by id: what quizzes draw from and grade
/// against.
#[derive(Debug)]
pub struct DeckPool {
    pub deck: Deck,
    pub questions: std::collections::HashMap<String, crate::domain::deck::Question>,
}

/// The pool of a deck, live or retired; parsed and generated once, kept until the next sync.
pub async fn pool(db: &Db, id: &str) -> anyhow::Result<Option<std::sync::Arc<DeckPool>>> {
    let cache = &db.cache.pools;
    if let Some(hit) = cache.get(id) {
        return Ok(Some(hit));
    }
    let epoch = cache.epoch();
    let Some(deck) = find_any(db, id).await? else {
        return Ok(None);
    };
    let generated = crate::domain::deck::generate(&deck);
    let questions = deck
        .questions
        .iter()
        .chain(generated.questions.iter())
        .map(|q| (q.id.clone(), q.clone()))
        .collect();
    let pool = std::sync::Arc::new(DeckPool { deck, questions });
    cache.put(epoch, id.to_owned(), std::sync::Arc::clone(&pool));
    Ok(Some(pool))
}

/// A stored item as the catalogue shows it.
#[derive(Debug, Clone)]
pub struct StoredItem {
    pub id: String,
    pub item_id: String,
    pub kind: String,
    pub topic: String,
    pub generated: bool,
    pub content: serde_json::Value,
}

/// The live items of a deck, in deck order.
pub async fn live_items(db: &Db, deck_id: &str) -> anyhow::Result<Vec<StoredItem>> {
    let rows = sqlx::query(
        "SELECT id, item_id, kind, topic, generated, content FROM deck_items
         WHERE deck_id = $1 AND retired_at IS NULL ORDER BY position",
    )
    .bind(deck_id)
    .fetch_all(&db.read)
    .await
    .context("Failed to load deck items")?;
    rows.iter().map(item_from_row).collect()
}

fn item_from_row(r: &sqlx::sqlite::SqliteRow) -> anyhow::Result<StoredItem> {
    let content: String = r.try_get("content")?;
    Ok(StoredItem {
        id: r.try_get("id")?,
        item_id: r.try_get("item_id")?,
        kind: r.try_get("kind")?,
        topic: r.try_get("topic")?,
        generated: r.try_get("generated")?,
        content: serde_json::from_str(&content).context("Stored item is not valid JSON")?,
    })
}

/// One item by its qualified id, retired or not (for history).
pub async fn any_item(db: &Db, id: &str) -> anyhow::Result<Option<StoredItem>> {
    let row = sqlx::query(
        "SELECT id, item_id, kind, topic, generated, content FROM deck_items WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load item")?;
    row.as_ref().map(item_from_row).transpose()
}

/// One item by its qualified id, if it exists and is not retired.
pub async fn live_item(db: &Db, id: &str) -> anyhow::Result<Option<std::sync::Arc<StoredItem>>> {
    let cache = &db.cache.items;
    if let Some(hit) = cache.get(id) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let item = load_live_item(db, id).await?.map(std::sync::Arc::new);
    cache.put(epoch, id.to_owned(), item.clone());
    Ok(item)
}

async fn load_live_item(db: &Db, id: &str) -> anyhow::Result<Option<StoredItem>> {
    let row = sqlx::query(
        "SELECT id, item_id, kind, topic, generated, content FROM deck_items
         WHERE id = $1 AND retired_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await
    .context("Failed to load item")?;
    row.as_ref().map(item_from_row).transpose()
}

/// Every live card of the catalogue, as the study queue sees them; kept until the next sync.
pub async fn live_cards(db: &Db) -> anyhow::Result<std::sync::Arc<crate::domain::queue::Catalog>> {
    let cache = &db.cache.cards;
    if let Some(hit) = cache.get(&()) {
        return Ok(hit);
    }
    let epoch = cache.epoch();
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_array(id, deck_id, topic, position))
         FROM (SELECT id, deck_id, topic, position FROM deck_items
               WHERE kind = 'card' AND retired_at IS NULL ORDER BY id)",
    )
    .fetch_one(&db.read)
    .await
    .context("Failed to list the catalogue's cards")?;
    let rows: Vec<(String, String, String, i64)> = super::json_rows(json)?;
    let cards = std::sync::Arc::new(crate::domain::queue::Catalog::new(
        rows.into_iter()
            .map(
                |(id, deck_id, topic, position)| crate::domain::queue::CatalogCard {
                    id,
                    deck_id,
                    topic,
                    position,
                },
            )
            .collect(),
    ));
    cache.put(epoch, (), std::sync::Arc::clone(&cards));
    Ok(cards)
}
