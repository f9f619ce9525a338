//! Assignments as values: what is assigned, when, and the rules that complete it.
//!
//! Pure: the deck comes in as a value, so topics are checked against the deck as it is now.

use crate::domain::deck::Deck;

/// The longest assignment title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The most questions an assignment's quiz may have.
pub const MAX_QUIZ_QUESTIONS: u32 = 200;
/// The most quiz attempts an assignment may allow.
pub const MAX_QUIZ_ATTEMPTS: u32 = 20;

/// The quiz rule: a quiz of `questions` on the assigned material, scored at least
/// `min_score` within `attempts` attempts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuizRule {
    pub questions: u32,
    /// 0–1.
    pub min_score: f64,
    pub attempts: u32,
}

/// The completion rules; every rule that is set must hold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Every assigned card studied at least once.
    #[serde(default)]
    pub study_all: bool,
    /// Mastery (mean current retrievability, unstudied = 0) of the assigned cards at least this.
    #[serde(default)]
    pub mastery: Option<f64>,
    #[serde(default)]
    pub quiz: Option<QuizRule>,
}

/// A validated assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentSpec {
    pub title: String,
    pub deck_id: String,
    /// Topic ids of the deck, sorted; empty means the whole deck.
    pub topics: Vec<String>,
    /// The deck's trade-off prompts are assigned too.
    pub prompts: bool,
    /// Unix ms.
    pub opens_at: i64,
    /// Unix ms; an answer at `due_at - 1` is on time, one at `due_at` is late.
    pub due_at: i64,
    pub rules: Rules,
}

/// What is wrong with a submitted assignment.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssignmentError {
    #[error("the title must not be empty")]
    EmptyTitle,
    #[error("the title is longer than {MAX_TITLE_CHARS} characters")]
    LongTitle,
    #[error("the deck has no topic {0:?}")]
    UnknownTopic(String),
    #[error("the due date must come after the opening date")]
    DueBeforeOpen,
    #[error("set at least one completion rule (study_all, mastery or quiz)")]
    NoRule,
    #[error("the mastery target must be above 0 and at most 1")]
    Mastery,
    #[error("the quiz needs 1–{MAX_QUIZ_QUESTIONS} questions")]
    QuizQuestions,
    #[error("the quiz's minimum score must be between 0 and 1")]
    QuizScore,
    #[error("the quiz must allow 1–{MAX_QUIZ_ATTEMPTS} attempts")]
    QuizAttempts,
    #[error("the deck has no prompts to assign")]
    NoPrompts,
}

impl AssignmentSpec {
    /// Validates a submitted assignment against the deck as it is now. Topics are
    /// de-duplicated and sorted; the title is trimmed.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        title: &str,
        deck: &Deck,
        topics: &[String],
        prompts: bool,
        opens_at: i64,
        due_at: i64,
        rules: Rules,
    ) -> Result<AssignmentSpec, AssignmentError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(AssignmentError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(AssignmentError::LongTitle);
        }
        let mut chosen: Vec<String> = topics.to_vec();
        chosen.sort();
        chosen.dedup();
        if let Some(unknown) = chosen
            .iter()
            .find(|t| !deck.topics.iter().any(|d| d.id == **t))
        {
            return Err(AssignmentError::UnknownTopic(unknown.clone()));
        }
        if due_at <= opens_at {
            return Err(AssignmentError::DueBeforeOpen);
        }
        if !rules.study_all && rules.mastery.is_none() && rules.quiz.is_none() {
            return Err(AssignmentError::NoRule);
        }
        if rules.mastery.is_some_and(|m| !(m > 0.0 && m <= 1.0)) {
            return Err(AssignmentError::Mastery);
        }
        if let Some(q) = rules.quiz {
            if !(1..=MAX_QUIZ_QUESTIONS).contains(&q.questions) {
                return Err(AssignmentError::QuizQuestions);
            }
            if !(0.0..=1.0).contains(&q.min_score) {
                return Err(AssignmentError::QuizScore);
            }
            if !(1..=MAX_QUIZ_ATTEMPTS).contains(&q.attempts) {
                return Err(AssignmentError::QuizAttempts);
            }
        }
        if prompts && deck.prompts.is_empty() {
            return Err(AssignmentError::NoPrompts);
        }
        Ok(AssignmentSpec {
            title: title.to_owned(),
            deck_id: deck.id.clone(),
            topics: chosen,
            prompts,
            opens_at,
            due_at,
            rules,
        })
    }
}

/// How far a learner is with an assignment's card rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// The least progress of the rules, 0–1.
    pub progress: f64,
    /// Every rule holds.
    pub holds: bool,
    /// Mean recall probability of the assigned cards, unstudied counting 0.
    pub mastery: f64,
}

/// Evaluates the card rules given each assigned card's recall probability now (`None` for a
/// card not studied yet) and, when the assignment includes prompts, whether each assigned
/// prompt has been answered (answered prompts count towards `study_all`; mastery is over the
/// cards only), and the best closed attempt of the assignment's quiz (score ÷ maximum, none
/// before the first): the quiz rule's progress is that share over its minimum score.
pub fn evaluate(
    rules: &Rules,
    recall: &[Option<f64>],
    prompts: &[bool],
    quiz_best: Option<f64>,
) -> Evaluation {
    let cards = recall.len();
    let total = cards + prompts.len();
    let studied =
        recall.iter().filter(|r| r.is_some()).count() + prompts.iter().filter(|p| **p).count();
    let mastery = if cards == 0 {
        0.0
    } else {
        recall.iter().map(|r| r.unwrap_or(0.0)).sum::<f64>() / cards as f64
    };
    let mut parts = Vec::new();
    if rules.study_all {
        parts.push(if total == 0 {
            1.0
        } else {
            studied as f64 / total as f64
        });
    }
    if let Some(target) = rules.mastery {
        parts.push((mastery / target).min(1.0));
    }
    if let Some(q) = rules.quiz {
        let best = quiz_best.unwrap_or(0.0);
        parts.push(if q.min_score <= 0.0 {
            if quiz_best.is_some() {
                1.0
            } else {
                0.0
            }
        } else {
            (best / q.min_score).min(1.0)
        });
    }
    let progress = parts.iter().copied().fold(1.0, f64::min);
    Evaluation {
        progress,
        holds: parts.iter().all(|p| *p >= 1.0),
        mastery,
    }
}

/// Where a learner stands with an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    Complete,
    /// Completed on or after the due date.
    Late,
    /// The due date passed and it is not complete.
    Missing,
}

impl Status {
    /// The status as the API and the CSVs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Complete => "complete",
            Status::Late => "late",
            Status::Missing => "missing",
        }
    }
}

/// The status at `now`, from when the rules first held (if they have) and the learner's due
/// date: completing at `due - 1` is on time, at `due` late.
pub fn status(completed_at: Option<i64>, due_at: i64, progress: f64, now: i64) -> Status {
    match completed_at {
        Some(at) if at < due_at => Status::Complete,
        Some(_) => Status::Late,
        None if now >= due_at => Status::Missing,
        None if progress > 0.0 => Status::InProgress,
        None => Status::NotStarted,
    }
}

/// Whether `unstudied` new cards fit before `due_at` at the learner's daily limit: what is left
/// of today's allowance (the day ends at `day_end`), then `new_per_day` for every further study
/// day that starts before the due date.
pub fn can_finish(
    unstudied: u32,
    new_left_today: u32,
    new_per_day: u32,
    day_end: i64,
    due_at: i64,
) -> bool {
    const DAY_MS: i64 = 86_400_000;
    let later_days = if due_at > day_end {
        ((due_at - day_end + DAY_MS - 1) / DAY_MS) as u64
    } else {
        0
    };
    let capacity = u64::from(new_left_today) + u64::from(new_per_day) * later_days;
    u64::from(unstudied) <= capacity
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck() -> Deck {
        let toml = include_bytes!("../../decks/nodejs-vs-go.toml");
        crate::domain::deck::load_deck(toml)
            .expect("the shipped deck loads")
            .deck
    }

    const STUDY_ALL: Rules = Rules {
        study_all: true,
        mastery: None,
        quiz: None,
    };

    #[test]
    fn progress_is_the_least_of_the_rules_and_unstudied_cards_count_zero() {
        let both = Rules {
            study_all: true,
            mastery: Some(0.8),
            quiz: None,
        };
        let e = evaluate(&both, &[Some(0.9), Some(0.7), None, None], &[], None);
        assert!((e.mastery - 0.4).abs() < 1e-12);
        assert!(
            (e.progress - 0.5).abs() < 1e-12,
            "half studied; mastery at half the target"
        );
        assert!(!e.holds);
        let done = evaluate(&both, &[Some(0.9), Some(0.85)], &[], None);
        assert!(done.holds && (done.progress - 1.0).abs() < 1e-12);
        let with_quiz = Rules {
            quiz: Some(QuizRule {
                questions: 5,
                min_score: 0.5,
                attempts: 1,
            }),
            ..both
        };
        assert!(
            !evaluate(&with_quiz, &[Some(1.0)], &[], None).holds,
            "no attempt yet"
        );
        let low = evaluate(&with_quiz, &[Some(1.0)], &[], Some(0.25));
        assert!(
            !low.holds && (low.progress - 0.5).abs() < 1e-12,
            "half the minimum"
        );
        assert!(
            evaluate(&with_quiz, &[Some(1.0)], &[], Some(0.5)).holds,
            "at the minimum"
        );
    }

    #[test]
    fn the_pace_check_counts_today_s_allowance_and_every_later_day_before_the_due_date() {
        let day = 86_400_000;
        let end = 10 * day;
        // Due at the end of today: only today's 5 are left.
        assert!(can_finish(5, 5, 20, end, end - 1));
        assert!(!can_finish(6, 5, 20, end, end - 1));
        // Due two days later: 5 today, then 20 on each of the next two days.
        assert!(can_finish(45, 5, 20, end, end + 2 * day));
        assert!(!can_finish(46, 5, 20, end, end + 2 * day));
        // A due date inside the next day still gives that day.
        assert!(can_finish(25, 5, 20, end, end + 1));
        assert!(can_finish(0, 0, 0, end, end - day));
    }

    #[test]
    fn answered_prompts_count_towards_study_all_but_not_mastery() {
        let e = evaluate(&STUDY_ALL, &[Some(0.9), None], &[true, false], None);
        assert!((e.progress - 0.5).abs() < 1e-12, "2 of 4 items");
        assert!((e.mastery - 0.45).abs() < 1e-12, "over the 2 cards");
        assert!(!e.holds);
        assert!(evaluate(&STUDY_ALL, &[Some(0.9)], &[true], None).holds);
        assert!(!evaluate(&STUDY_ALL, &[Some(0.9)], &[false], None).holds);
    }

    #[test]
    fn completing_one_millisecond_before_the_due_date_is_on_time_and_at_it_late() {
        let due = 1_000_000;
        assert_eq!(status(Some(due - 1), due, 1.0, due + 5), Status::Complete);
        assert_eq!(status(Some(due), due, 1.0, due + 5), Status::Late);
        assert_eq!(status(None, due, 0.5, due - 1), Status::InProgress);
        assert_eq!(status(None, due, 0.0, due - 1), Status::NotStarted);
        assert_eq!(status(None, due, 0.5, due), Status::Missing);
    }

    #[test]
    fn a_valid_assignment_is_trimmed_and_its_topics_sorted_once() {
        let d = deck();
        let topics: Vec<String> = d.topics.iter().rev().map(|t| t.id.clone()).collect();
        let mut twice = topics.clone();
        twice.extend(topics.clone());
        let spec = AssignmentSpec::parse(" Week 1 ", &d, &twice, false, 0, 1, STUDY_ALL).unwrap();
        let mut sorted = topics;
        sorted.sort();
        assert_eq!((spec.title.as_str(), spec.topics), ("Week 1", sorted));
    }

    #[test]
    fn each_fault_is_refused_with_its_reason() {
        let d = deck();
        let quiz = |questions, min_score, attempts| Rules {
            quiz: Some(QuizRule {
                questions,
                min_score,
                attempts,
            }),
            ..STUDY_ALL
        };
        let none = Rules {
            study_all: false,
            mastery: None,
            quiz: None,
        };
        let mastery = |m| Rules {
            mastery: Some(m),
            ..none
        };
        let long = "t".repeat(MAX_TITLE_CHARS + 1);
        // (title, topics, opens at, due at, rules, the fault)
        type Case<'a> = (&'a str, Vec<String>, i64, i64, Rules, AssignmentError);
        let cases: Vec<Case> = vec![
            ("  ", vec![], 0, 1, STUDY_ALL, AssignmentError::EmptyTitle),
            (&long, vec![], 0, 1, STUDY_ALL, AssignmentError::LongTitle),
            (
                "t",
                vec!["nope".into()],
                0,
                1,
                STUDY_ALL,
                AssignmentError::UnknownTopic("nope".into()),
            ),
            ("t", vec![], 5, 5, STUDY_ALL, AssignmentError::DueBeforeOpen),
            ("t", vec![], 0, 1, none, AssignmentError::NoRule),
            ("t", vec![], 0, 1, mastery(0.0), AssignmentError::Mastery),
            ("t", vec![], 0, 1, mastery(1.01), AssignmentError::Mastery),
            (
                "t",
                vec![],
                0,
                1,
                mastery(f64::NAN),
                AssignmentError::Mastery,
            ),
            (
                "t",
                vec![],
                0,
                1,
                quiz(0, 0.5, 1),
                AssignmentError::QuizQuestions,
            ),
            (
                "t",
                vec![],
                0,
                1,
                quiz(10, 1.5, 1),
                AssignmentError::QuizScore,
            ),
            (
                "t",
                vec![],
                0,
                1,
                quiz(10, 0.5, 0),
                AssignmentError::QuizAttempts,
            ),
        ];
        for (title, topics, opens, due, rules, expected) in cases {
            assert_eq!(
                AssignmentSpec::parse(title, &d, &topics, false, opens, due, rules),
                Err(expected.clone()),
                "{expected}"
            );
        }
    }
}
