//! `tradeoff check`: validate one deck file or every `*.toml` in a folder.
//!
//! This is where decks meet the file system: it reads files and hands the bytes
//! to the pure [`load_deck`]. It also checks what no single file can: that two
//! files do not claim the same deck id. Sync reads decks through here too, so the
//! server and `tradeoff check` can never disagree about a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::domain::deck::{load_deck, Deck, DeckSummary, Diagnostic, Severity};

/// The outcome for every file checked, sorted by path.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub files: Vec<FileReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given, or joined onto the folder given.
    pub path: String,
    /// Present when the file has no errors.
    pub summary: Option<DeckSummary>,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The deck itself, when the file has no errors.
    #[serde(skip)]
    pub deck: Option<Deck>,
}

impl CheckReport {
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// True when any file has an error: `tradeoff check` then exits with status 1.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.files
            .iter()
            .flat_map(|file| &file.diagnostics)
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Checks `path`: a deck file, or a folder whose `*.toml` files (not recursing)
/// are each checked, in path order. An unreadable path gives a file report with
/// one error at 1:1. A folder without decks gives an empty report.
pub fn check_path(path: &Path) -> CheckReport {
    let files = if path.is_dir() {
        match deck_files(path) {
            Ok(files) => files,
            Err(err) => {
                return CheckReport {
                    files: vec![unreadable(path, &err)],
                }
            }
        }
    } else {
        vec![path.to_path_buf()]
    };
    let mut reports = Vec::with_capacity(files.len());
    // deck id -> path of the first file that used it
    let mut owners: HashMap<String, String> = HashMap::new();
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(err) => {
                reports.push(unreadable(&file, &err));
                continue;
            }
        };
        let path = file.display().to_string();
        let report = match load_deck(&bytes) {
            Ok(loaded) => {
                let mut diagnostics = loaded.warnings;
                let summary = match owners.get(&loaded.deck.id) {
                    Some(owner) => {
                        let (line, col) = loaded.id_position;
                        diagnostics.push(Diagnostic::error(
                            line,
                            col,
                            format!(
                                "deck id `{}` is already used by {owner}; deck ids must be unique",
                                loaded.deck.id
                            ),
                        ));
                        diagnostics.sort_by_key(|d| (d.line, d.col));
                        None
                    }
                    None => {
                        owners.insert(loaded.deck.id.clone(), path.clone());
                        Some(DeckSummary::of(&loaded.deck))
                    }
                };
                let deck = summary.is_some().then_some(loaded.deck);
                FileReport {
                    path,
                    summary,
                    diagnostics,
                    deck,
                }
            }
            Err(diagnostics) => FileReport {
                path,
                summary: None,
                diagnostics,
                deck: None,
            },
        };
        reports.push(report);
    }
    CheckReport { files: reports }
}

fn deck_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn unreadable(path: &Path, err: &std::io::Error) -> FileReport {
    FileReport {
        path: path.display().to_string(),
        summary: None,
        diagnostics: vec![Diagnostic::error(1, 1, format!("cannot read: {err}"))],
        deck: None,
    }
}
