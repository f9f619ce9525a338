//! Matching a typed answer against a short-answer question's accepted answers.
//!
//! Owns the comparison form of a text ([`skeleton`]), the typo tolerance and the
//! near-miss rule; `docs/quiz-grading.md` states the rules for authors. Pure string work:
//! it knows nothing about attempts, and the caller supplies the near misses (see
//! [`near_misses`]).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::domain::deck::{Answer, Deck, Question};

/// How a typed answer compares with the accepted answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The skeleton equals an accepted answer's: right.
    Exact,
    /// Within the typo tolerance of an accepted answer, and closer to it than to any near
    /// miss: right.
    Typo { distance: usize },
    /// Within the typo tolerance, but at least as close to `term`, a known different
    /// answer: wrong.
    NearMiss { term: String },
    /// Wrong (including an empty skeleton: nothing but spaces and punctuation).
    Wrong,
}

impl Verdict {
    pub fn is_accepted(&self) -> bool {
        matches!(self, Verdict::Exact | Verdict::Typo { .. })
    }
}

/// The comparison form of a text: compatibility-decomposed (NFKD) with combining marks
/// dropped (so `é` = `e`, full-width `Ｇｏ` = `go`), lowercased, keeping only letters,
/// digits, `+` and `#` (so `C++` and `C#` differ from `C`), plus a `.` between two digits
/// (so `1.5` differs from `15`). Everything else (spaces, `.`, `-`, `_`, `/`, quotes ...)
/// goes, which makes `Node.js`, `nodejs` and `node js` the same answer.
pub fn skeleton(text: &str) -> String {
    let chars: Vec<char> = text
        .nfkd()
        .flat_map(char::to_lowercase)
        .filter(|c| !is_combining_mark(*c))
        .collect();
    let is_digit = |i: Option<&char>| i.is_some_and(char::is_ascii_digit);
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            c.is_alphanumeric()
                || c == '+'
                || c == '#'
                || (c == '.' && i > 0 && is_digit(chars.get(i - 1)) && is_digit(chars.get(i + 1)))
        })
        .map(|(_, &c)| c)
        .collect()
}

/// How many edits (Levenshtein: insert, delete or substitute one character) a typed answer
/// may be from an accepted one, given the shorter skeleton's length in characters: none up
/// to 4 (`Go` must not accept `No`, `rust` must not accept `rustc`), 1 from 5 to 8, 2 from 9.
pub fn typo_tolerance(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Judges `response` against the `accepted` answers (any of them is right).
///
/// A typo is only forgiven in letters: the digits (and decimal points) of the skeletons
/// must be identical, so `HTTP/2` never accepts `HTTP/3`. `near_misses` are terms known to
/// be *different* answers (other subjects, choices and answers of the same topic): a typed
/// answer within tolerance of an accepted answer is still rejected when it is at least as
/// close to a near miss. Near misses whose skeleton equals an accepted answer's are the same
/// term and are ignored.
pub fn judge(accepted: &[String], response: &str, near_misses: &[String]) -> Verdict {
    let typed: Vec<char> = skeleton(response).chars().collect();
    if typed.is_empty() {
        return Verdict::Wrong;
    }
    let accepted: Vec<Vec<char>> = accepted
        .iter()
        .map(|answer| skeleton(answer).chars().collect::<Vec<char>>())
        .filter(|answer| !answer.is_empty())
        .collect();
    if accepted.contains(&typed) {
        return Verdict::Exact;
    }
    let closest = accepted
        .iter()
        .filter(|answer| digits(answer) == digits(&typed))
        .filter_map(|answer| {
            let tolerance = typo_tolerance(answer.len().min(typed.len()));
            distance_within(&typed, answer, tolerance)
        })
        .min();
    let Some(distance) = closest else {
        return Verdict::Wrong;
    };
    for term in near_misses {
        let other: Vec<char> = skeleton(term).chars().collect();
        if other.is_empty() || accepted.contains(&other) {
            continue;
        }
        if distance_within(&typed, &other, distance).is_some() {
            return Verdict::NearMiss { term: term.clone() };
        }
    }
    Verdict::Typo { distance }
}

/// The terms a short answer in `deck` must not be confused with: the deck's subjects, and
/// the answers, choices and items of the other questions in the same topic, minus anything
/// that is the same term as one of the question's own accepted answers. Empty for other
/// kinds of question.
pub fn near_misses(deck: &Deck, question: &Question) -> Vec<String> {
    let Answer::ShortAnswer { answer: accepted } = &question.answer else {
        return Vec::new();
    };
    let mut seen: Vec<String> = accepted.iter().map(|a| skeleton(a)).collect();
    let mut terms = Vec::new();
    let others = deck
        .questions
        .iter()
        .filter(|other| other.topic == question.topic && other.id != question.id);
    let candidates = deck
        .subjects
        .iter()
        .chain(others.flat_map(|other| match &other.answer {
            Answer::ShortAnswer { answer } => answer.as_slice(),
            Answer::Single { choices, .. } | Answer::Multi { choices, .. } => choices.as_slice(),
            Answer::Ordering { items } => items.as_slice(),
            Answer::TrueFalse { .. } | Answer::WhichOne { .. } => &[],
        }));
    for term in candidates {
        let key = skeleton(term);
        if !key.is_empty() && !seen.contains(&key) {
            seen.push(key);
            terms.push(term.clone());
        }
    }
    terms
}

fn digits(skeleton: &[char]) -> Vec<char> {
    skeleton
        .iter()
        .copied()
        .filter(|c| c.is_numeric() || *c == '.')
        .collect()
}

/// The Levenshtein distance between `a` and `b` if it is at most `max`.
fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        // Every later row is at least this row's minimum: give up early on long texts.
        if current.iter().min().is_some_and(|&least| least > max) {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::quiz::fixtures;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn accepts(accepted: &[&str], typed: &str) -> bool {
        judge(&strings(accepted), typed, &[]).is_accepted()
    }

    #[test]
    fn skeleton_ignores_case_spacing_and_punctuation() {
        for (raw, expected) in [
            ("Node.js", "nodejs"),
            ("  node   JS ", "nodejs"),
            ("NODE-js!", "nodejs"),
            ("go.sum", "gosum"),
            ("\"Event loop\"", "eventloop"),
            ("C++", "c++"),
            ("c #", "c#"),
            ("HTTP/1.1", "http1.1"),
            ("v1.", "v1"),
            ("Café", "cafe"),
            ("Cafe\u{301}", "cafe"),
            ("Ｇｏ", "go"),
            ("ÉCOLE", "ecole"),
            ("...", ""),
        ] {
            assert_eq!(skeleton(raw), expected, "skeleton of {raw:?}");
        }
    }

    #[test]
    fn node_js_spellings_all_match_node_js() {
        for typed in [
            "Node.js",
            "nodejs",
            "node js",
            "NodeJS",
            " node.JS ",
            "Node-JS",
        ] {
            assert_eq!(
                judge(&strings(&["Node.js"]), typed, &[]),
                Verdict::Exact,
                "{typed:?}"
            );
        }
    }

    #[test]
    fn any_accepted_alternative_is_right() {
        assert!(accepts(&["Go", "Golang"], "golang"));
        assert!(accepts(&["Go", "Golang"], "GO"));
        assert!(!accepts(&["Go", "Golang"], "Rust"));
    }

    #[test]
    fn typo_tolerance_scales_with_length() {
        assert_eq!([1, 4, 5, 8, 9, 30].map(typo_tolerance), [0, 0, 1, 1, 2, 2]);
        // 4 characters: exact only.
        assert!(!accepts(&["heap"], "heep"));
        // 5-8 characters: one edit.
        assert!(accepts(&["mutex"], "mutez"));
        // A deletion that leaves 4 characters is judged at 4: exact only.
        assert!(!accepts(&["mutex"], "mutx"));
        assert!(accepts(&["channel"], "chanel"));
        assert!(!accepts(&["channel"], "chnel"));
        // 9 and more: two edits.
        assert_eq!(
            judge(&strings(&["goroutine"]), "gorotuine", &[]),
            Verdict::Typo { distance: 2 }
        );
        assert!(!accepts(&["goroutine"], "grtine"));
    }

    #[test]
    fn near_misses_that_must_fail() {
        let cases: [(&[&str], &str, &[&str], &str); 9] = [
            (&["Go"], "No", &[], "short words get no typo tolerance"),
            (&["Go"], "Goo", &[], "short words get no typo tolerance"),
            (
                &["rustc"],
                "rust",
                &[],
                "the shorter skeleton sets the tolerance",
            ),
            (&["HTTP/2"], "HTTP/3", &[], "digits are never typos"),
            (&["65536"], "65535", &[], "digits are never typos"),
            (&["1.5"], "15", &[], "a decimal point between digits counts"),
            (&["C++"], "C", &[], "+ and # count"),
            (
                &["goroutine"],
                "coroutine",
                &["coroutine"],
                "a listed near miss",
            ),
            (&["go.sum"], "go.mod", &[], "two edits away"),
        ];
        for (accepted, typed, near, why) in cases {
            let verdict = judge(&strings(accepted), typed, &strings(near));
            assert!(!verdict.is_accepted(), "{typed:?} for {accepted:?}: {why}");
        }
    }

    #[test]
    fn a_typo_closer_to_a_near_miss_is_rejected_and_names_it() {
        let verdict = judge(
            &strings(&["goroutine"]),
            "coroutine",
            &strings(&["Coroutine"]),
        );
        assert_eq!(
            verdict,
            Verdict::NearMiss {
                term: "Coroutine".to_owned()
            }
        );
        // Without the near miss, the plain rule would forgive the one edit.
        assert!(accepts(&["goroutine"], "coroutine"));
    }

    #[test]
    fn a_typo_equally_close_to_a_near_miss_is_rejected() {
        // One edit from the answer and one from the near miss: a tie goes against the learner.
        let tie = judge(&strings(&["worker"]), "workes", &strings(&["workers"]));
        assert!(matches!(tie, Verdict::NearMiss { .. }), "{tie:?}");
        let tie = judge(
            &strings(&["goroutine"]),
            "coroutine",
            &strings(&["coroutines"]),
        );
        assert!(matches!(tie, Verdict::NearMiss { .. }), "{tie:?}");
    }

    #[test]
    fn a_near_miss_does_not_block_a_clear_typo_or_an_exact_answer() {
        let near = strings(&["coroutine", "Go"]);
        assert_eq!(
            judge(&strings(&["goroutine"]), "goroutin", &near),
            Verdict::Typo { distance: 1 }
        );
        assert_eq!(
            judge(&strings(&["goroutine"]), "Goroutine", &near),
            Verdict::Exact
        );
        // A near miss that is the same term as an accepted answer is not different.
        assert_eq!(
            judge(&strings(&["Node.js"]), "nodjs", &strings(&["nodejs"])),
            Verdict::Typo { distance: 1 }
        );
    }

    #[test]
    fn blank_or_punctuation_only_answers_are_wrong() {
        for typed in ["", "   ", "...", "?!"] {
            assert_eq!(
                judge(&strings(&["Go"]), typed, &[]),
                Verdict::Wrong,
                "{typed:?}"
            );
        }
        // An accepted answer with nothing comparable never matches anything.
        assert_eq!(judge(&strings(&["--"]), "--", &[]), Verdict::Wrong);
    }

    #[test]
    fn distance_within_gives_up_past_the_limit() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(
            distance_within(&chars("kitten"), &chars("sitting"), 3),
            Some(3)
        );
        assert_eq!(
            distance_within(&chars("kitten"), &chars("sitting"), 2),
            None
        );
        assert_eq!(distance_within(&chars(""), &chars("ab"), 2), Some(2));
        assert_eq!(distance_within(&chars("abc"), &chars("abc"), 0), Some(0));
    }

    #[test]
    fn near_misses_come_from_subjects_and_the_same_topic() {
        let deck = fixtures::deck();
        let question = deck.questions.iter().find(|q| q.id == "q-short").unwrap();
        let terms = near_misses(&deck, question);
        assert!(terms.contains(&"Node.js".to_owned()), "{terms:?}");
        assert!(terms.contains(&"coroutine".to_owned()), "{terms:?}");
        // Its own answers and other topics' terms are not near misses.
        assert!(
            !terms.iter().any(|t| skeleton(t) == "goroutine"),
            "{terms:?}"
        );
        assert!(!terms.contains(&"npm".to_owned()), "{terms:?}");
    }
}
