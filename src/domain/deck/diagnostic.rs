//! Problems found in a deck file, located by 1-based line and column.
//!
//! A [`Diagnostic`] does not carry the file's path: the caller knows it and
//! supplies it when printing (`path:line:col: error: message`). Columns count
//! characters (Unicode scalar values), not bytes, so they match what an editor shows.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file is usable, but something in it is probably a mistake.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn error(line: usize, col: usize, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            line,
            col,
            message: message.into(),
        }
    }

    pub fn warning(line: usize, col: usize, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            line,
            col,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Formats as `path:line:col: severity: message`, like a compiler.
    pub fn display<'a>(&'a self, path: &'a str) -> DisplayDiagnostic<'a> {
        DisplayDiagnostic {
            diagnostic: self,
            path,
        }
    }
}

/// Returned by [`Diagnostic::display`].
pub struct DisplayDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    path: &'a str,
}

impl fmt::Display for DisplayDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path, d.line, d.col, d.severity, d.message
        )
    }
}

/// Turns byte offsets into 1-based (line, column) pairs.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, line_starts }
    }

    /// The position of the character starting at (or containing) byte `offset`;
    /// offsets past the end point just after the last character.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_a_compiler_message() {
        let d = Diagnostic::error(3, 7, "unknown key `fornt`");
        assert_eq!(
            d.display("decks/x.toml").to_string(),
            "decks/x.toml:3:7: error: unknown key `fornt`"
        );
        let w = Diagnostic::warning(1, 1, "careful");
        assert_eq!(w.display("a").to_string(), "a:1:1: warning: careful");
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\ncé d\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (1, 3));
        assert_eq!(index.position(3), (2, 1));
        // `é` is two bytes; the space after it is the third character.
        assert_eq!(index.position(6), (2, 3));
        // Inside a multi-byte character: that character.
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(100), (3, 1));
    }
}
