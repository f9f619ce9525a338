-- The deck catalogue, synced from the decks folder.
-- Items are never deleted: an item removed from its file is retired (hidden from new study,
-- its history kept) and restored if it comes back. Ids are `deck-id/item-id`.

CREATE TABLE decks (
    id          TEXT    PRIMARY KEY,
    title       TEXT    NOT NULL,
    source_path TEXT    NOT NULL,
    -- The last version that validated, as JSON; a broken file never replaces it.
    content     TEXT    NOT NULL,
    synced_at   INTEGER NOT NULL,
    retired_at  INTEGER
);

CREATE TABLE deck_items (
    id         TEXT    PRIMARY KEY,
    deck_id    TEXT    NOT NULL REFERENCES decks (id),
    item_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('fact', 'card', 'question', 'prompt')),
    topic      TEXT    NOT NULL,
    generated  INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE INDEX deck_items_deck ON deck_items (deck_id, kind, position);

-- Files that failed validation at the last sync, for the admin page.
CREATE TABLE deck_errors (
    path        TEXT    PRIMARY KEY,
    diagnostics TEXT    NOT NULL,
    seen_at     INTEGER NOT NULL
);
