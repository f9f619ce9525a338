//! The instructor dashboard's figures, as values: a learner's activity in the cohort's scope,
//! the at-risk rule, the hardest cards and the quiz item analysis.
//!
//! Pure: reviews, card rows and attempt scores come in already limited to the instructor's
//! scope (the cohort's assigned decks and topics, while the learner was a member); time and the
//! learner's calendar are arguments.

use serde::Serialize;

use crate::domain::cohort::AtRiskRule;
use crate::domain::progress::{retention_of, DailyLog, StudyCalendar, Window};

const DAY_MS: i64 = 86_400_000;
/// A question whose discrimination is below this is likely flawed (Moodle's own warning level).
pub const FLAWED_DISCRIMINATION: f64 = 0.15;

/// What an assignment covers: a deck, and some of its topics (none: all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    pub deck: String,
    pub topics: Vec<String>,
}

/// The union of what a cohort's assignments cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortScope(Vec<Covered>);

impl CohortScope {
    pub fn new(covered: impl IntoIterator<Item = Covered>) -> CohortScope {
        CohortScope(covered.into_iter().collect())
    }

    /// The decks assigned whole (by an assignment without chosen topics), sorted.
    pub fn whole_decks(&self) -> Vec<String> {
        let mut decks: Vec<String> = self
            .0
            .iter()
            .filter(|c| c.topics.is_empty())
            .map(|c| c.deck.clone())
            .collect();
        decks.sort();
        decks.dedup();
        decks
    }

    /// The decks assigned only in part (some topics), sorted.
    pub fn partial_decks(&self) -> Vec<String> {
        let whole = self.whole_decks();
        let mut decks: Vec<String> = self
            .0
            .iter()
            .filter(|c| !whole.contains(&c.deck))
            .map(|c| c.deck.clone())
            .collect();
        decks.sort();
        decks.dedup();
        decks
    }

    /// Whether a card of `deck` and `topic` is in scope.
    pub fn covers(&self, deck: &str, topic: &str) -> bool {
        self.0
            .iter()
            .any(|c| c.deck == deck && (c.topics.is_empty() || c.topics.iter().any(|t| t == topic)))
    }
}

/// A learner's activity figures from their in-scope reviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activity {
    /// Answers (any source) on the last 7 study days, today included.
    pub reviews_7d: u32,
    /// True retention over the last 30 study days (`None`: no recall test).
    pub true_retention_30d: Option<f64>,
    /// At least one answer today.
    pub studied_today: bool,
}

/// Activity figures from a learner's daily totals (built from reviews or rollups; undone
/// answers left out), by their study days.
pub fn activity_of(log: &DailyLog, calendar: &StudyCalendar, now: i64) -> Activity {
    let today = calendar.day_of(now);
    let reviews_7d = log
        .days()
        .filter(|(day, _)| Window::Week.contains(today, *day))
        .map(|(_, t)| t.answers)
        .sum();
    let studied_today = log.days().any(|(day, t)| day == today && t.answers > 0);
    Activity {
        reviews_7d,
        true_retention_30d: retention_of(log, today).month.total.rate,
        studied_today,
    }
}

/// A learner's answers in scope on one of their study days.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DayAnswers {
    /// The study day's calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// Every answer, quizzes included.
    pub answers: u32,
    /// Study answers rated Again.
    pub again: u32,
}

/// Answers on each of the last `days` study days, oldest first, today last; days without
/// answers count 0.
pub fn recent_days(
    log: &DailyLog,
    calendar: &StudyCalendar,
    now: i64,
    days: i64,
) -> Vec<DayAnswers> {
    let totals: std::collections::HashMap<i64, _> = log.days().collect();
    let today = calendar.day_of(now);
    (today - days + 1..=today)
        .map(|day| {
            let t = totals.get(&day);
            DayAnswers {
                date: calendar.date_of(day).format("%Y-%m-%d").to_string(),
                answers: t.map_or(0, |t| t.answers),
                again: t.map_or(0, |t| t.study_ratings[0]),
            }
        })
        .collect()
}

/// Why a learner is at risk.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RiskReason {
    /// No answer in scope for `days` days (counted from joining if never).
    Inactive { days: i64 },
    /// More cards overdue than the threshold.
    Backlog { overdue: u32 },
    /// 30-day true retention below the threshold.
    LowRetention { retention: f64 },
    /// An assignment's due date passed and it is not complete.
    Missing { assignment_id: i64, title: String },
    /// Not on track for an open assignment due soon.
    OffTrack {
        assignment_id: i64,
        title: String,
        /// Unix ms.
        due_at: i64,
    },
}

/// One assignment as the at-risk rule sees it for one learner.
#[derive(Debug, Clone)]
pub struct AssignmentStanding<'a> {
    pub assignment_id: i64,
    pub title: &'a str,
    pub due_at: i64,
    pub missing: bool,
    /// Neither complete nor missing.
    pub open: bool,
    pub on_track: bool,
}

/// What the at-risk rule reads of one learner.
#[derive(Debug, Clone)]
pub struct RiskInput<'a> {
    pub last_active_at: Option<i64>,
    pub joined_at: i64,
    pub overdue: u32,
    pub true_retention_30d: Option<f64>,
    pub assignments: &'a [AssignmentStanding<'a>],
}

/// The reasons a learner is at risk under `rule` at `now` (empty: not at risk).
pub fn at_risk(rule: &AtRiskRule, learner: &RiskInput<'_>, now: i64) -> Vec<RiskReason> {
    let mut reasons = Vec::new();
    let since = learner.last_active_at.unwrap_or(learner.joined_at);
    let idle_days = (now - since).max(0) / DAY_MS;
    if idle_days >= i64::from(rule.inactive_days) {
        reasons.push(RiskReason::Inactive { days: idle_days });
    }
    if learner.overdue > rule.max_overdue {
        reasons.push(RiskReason::Backlog {
            overdue: learner.overdue,
        });
    }
    if let Some(r) = learner
        .true_retention_30d
        .filter(|r| *r < rule.min_retention)
    {
        reasons.push(RiskReason::LowRetention { retention: r });
    }
    let soon = now + i64::from(rule.due_soon_days) * DAY_MS;
    for a in learner.assignments {
        if a.missing {
            reasons.push(RiskReason::Missing {
                assignment_id: a.assignment_id,
                title: a.title.to_owned(),
            });
        } else if a.open && !a.on_track && a.due_at <= soon {
            reasons.push(RiskReason::OffTrack {
                assignment_id: a.assignment_id,
                title: a.title.to_owned(),
                due_at: a.due_at,
            });
        }
    }
    reasons
}

/// One member's row for a card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardRow {
    pub reps: u32,
    pub lapses: u32,
    pub difficulty: Option<f64>,
}

/// A card's cohort-wide difficulty.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HardCard {
    /// `deck-id/item-id`.
    pub card: String,
    /// Members who have answered it.
    pub learners: u32,
    /// Lapses per answer, over those members (0–1).
    pub lapse_rate: f64,
    /// Mean FSRS difficulty (1–10) over the members with a memory state.
    pub mean_difficulty: Option<f64>,
}

/// The `limit` hardest cards, by lapse rate, then mean difficulty, then id.
pub fn hardest_cards(cards: Vec<(String, Vec<CardRow>)>, limit: usize) -> Vec<HardCard> {
    let mut hard: Vec<HardCard> = cards
        .into_iter()
        .filter_map(|(card, rows)| {
            let answered: Vec<&CardRow> = rows.iter().filter(|r| r.reps > 0).collect();
            let reps: u32 = answered.iter().map(|r| r.reps).sum();
            if reps == 0 {
                return None;
            }
            let lapses: u32 = answered.iter().map(|r| r.lapses).sum();
            let difficulties: Vec<f64> = answered.iter().filter_map(|r| r.difficulty).collect();
            Some(HardCard {
                card,
                learners: answered.len() as u32,
                lapse_rate: f64::from(lapses) / f64::from(reps),
                mean_difficulty: (!difficulties.is_empty())
                    .then(|| difficulties.iter().sum::<f64>() / difficulties.len() as f64),
            })
        })
        .collect();
    hard.sort_by(|a, b| {
        b.lapse_rate
            .total_cmp(&a.lapse_rate)
            .then(
                b.mean_difficulty
                    .unwrap_or(0.0)
                    .total_cmp(&a.mean_difficulty.unwrap_or(0.0)),
            )
            .then_with(|| a.card.cmp(&b.card))
    });
    hard.truncate(limit);
    hard
}

/// One graded question of an attempt: its id and the share of its marks earned (0–1).
pub type ItemScore = (String, f64);

/// A quiz question's statistics over the attempts that asked it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ItemStats {
    pub question: String,
    /// Attempts that asked it.
    pub attempts: u32,
    /// Facility index: the mean share of its marks earned (0–1).
    pub facility: f64,
    /// Discrimination index: the correlation of the question's score with the score on the
    /// rest of the attempt (−1–1); `None` when either does not vary.
    pub discrimination: Option<f64>,
    /// Discrimination below [`FLAWED_DISCRIMINATION`]: likely a flawed question.
    pub flagged: bool,
}

/// Moodle's facility and discrimination indices (`domain::quiz`'s definitions), from one
/// attempt per learner (their first): for each question, over the attempts that asked it.
/// Questions come back hardest (lowest facility) first.
pub fn item_analysis(attempts: &[Vec<ItemScore>]) -> Vec<ItemStats> {
    use crate::domain::quiz::{discrimination_index, facility_index, AttemptScores};
    use std::collections::BTreeMap;
    let mut by_question: BTreeMap<&str, Vec<AttemptScores>> = BTreeMap::new();
    for attempt in attempts {
        let total: f64 = attempt.iter().map(|(_, s)| s).sum();
        for (question, score) in attempt {
            by_question
                .entry(question.as_str())
                .or_default()
                .push(AttemptScores {
                    question: *score,
                    attempt: total,
                });
        }
    }
    let mut stats: Vec<ItemStats> = by_question
        .into_iter()
        .map(|(question, scores)| {
            let own: Vec<f64> = scores.iter().map(|s| s.question).collect();
            let discrimination = discrimination_index(&scores);
            ItemStats {
                question: question.to_owned(),
                attempts: scores.len() as u32,
                facility: facility_index(&own, 1.0).unwrap_or(0.0),
                discrimination,
                flagged: discrimination.is_some_and(|d| d < FLAWED_DISCRIMINATION),
            }
        })
        .collect();
    stats.sort_by(|a, b| {
        a.facility
            .total_cmp(&b.facility)
            .then_with(|| a.question.cmp(&b.question))
    });
    stats
}

/// A text cell made safe for spreadsheets: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would be read as a formula, so it gets a leading `'` (OWASP's advice).
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::{LoggedReview, PhaseKind, Rating, Source};

    const NOW: i64 = 1_760_000_000_000;

    fn q(id: &str, s: f64) -> ItemScore {
        (id.to_owned(), s)
    }

    #[test]
    fn facility_and_discrimination_match_values_worked_out_by_hand() {
        // Four first attempts of three questions.
        //            a    b    c    total
        // learner 1  1    1    1    3
        // learner 2  1    1    0    2
        // learner 3  1    0    0    1
        // learner 4  0    0    1    1
        let attempts = vec![
            vec![q("a", 1.0), q("b", 1.0), q("c", 1.0)],
            vec![q("a", 1.0), q("b", 1.0), q("c", 0.0)],
            vec![q("a", 1.0), q("b", 0.0), q("c", 0.0)],
            vec![q("a", 0.0), q("b", 0.0), q("c", 1.0)],
        ];
        let stats = item_analysis(&attempts);
        let of = |id: &str| stats.iter().find(|s| s.question == id).unwrap();
        assert_eq!(of("a").facility, 0.75);
        assert_eq!(of("b").facility, 0.5);
        assert_eq!(of("c").facility, 0.5);
        // a against the rest (b + c): x = 1,1,1,0; y = 2,1,0,1.
        // mean x 0.75, mean y 1; Sxy = 0.25·1 + 0.25·0 + 0.25·(−1) + (−0.75)·0 = 0;
        // so r = 0.
        assert!(of("a").discrimination.unwrap().abs() < 1e-12);
        assert!(of("a").flagged, "0 is below 0.15");
        // b against a + c: x = 1,1,0,0; y = 2,1,1,1. mean x 0.5, mean y 1.25.
        // Sxy = 0.5·0.75 + 0.5·(−0.25) + (−0.5)(−0.25) + (−0.5)(−0.25) = 0.5;
        // Sxx = 1; Syy = 0.5625 + 3·0.0625 = 0.75; r = 0.5 / √0.75 = 0.57735.
        assert!((of("b").discrimination.unwrap() - 0.5 / 0.75_f64.sqrt()).abs() < 1e-12);
        assert!(!of("b").flagged);
        // c against a + b: x = 1,0,0,1; y = 2,2,1,0. mean x 0.5, mean y 1.25.
        // Sxy = 0.5·0.75 + (−0.5)·0.75 + (−0.5)(−0.25) + 0.5·(−1.25) = −0.5;
        // Sxx = 1; Syy = 0.5625·2 + 0.0625 + 1.5625 = 2.75; r = −0.5 / √2.75.
        assert!((of("c").discrimination.unwrap() + 0.5 / 2.75_f64.sqrt()).abs() < 1e-12);
        assert!(of("c").flagged);
        assert_eq!(
            stats
                .iter()
                .map(|s| s.question.as_str())
                .collect::<Vec<_>>(),
            ["b", "c", "a"],
            "hardest first, ties by id"
        );
    }

    #[test]
    fn a_question_everyone_got_right_has_no_discrimination() {
        let attempts = vec![
            vec![q("a", 1.0), q("b", 1.0)],
            vec![q("a", 1.0), q("b", 0.0)],
        ];
        let stats = item_analysis(&attempts);
        let a = stats.iter().find(|s| s.question == "a").unwrap();
        assert_eq!(
            (a.facility, a.discrimination, a.flagged),
            (1.0, None, false)
        );
        assert_eq!(item_analysis(&[vec![q("x", 0.5)]])[0].discrimination, None);
    }

    fn standing(
        id: i64,
        due_at: i64,
        missing: bool,
        on_track: bool,
    ) -> AssignmentStanding<'static> {
        AssignmentStanding {
            assignment_id: id,
            title: "A",
            due_at,
            missing,
            open: !missing,
            on_track,
        }
    }

    #[test]
    fn each_at_risk_reason_follows_its_threshold() {
        let rule = AtRiskRule::default();
        let calm = RiskInput {
            last_active_at: Some(NOW - 6 * DAY_MS),
            joined_at: NOW - 100 * DAY_MS,
            overdue: 50,
            true_retention_30d: Some(0.7),
            assignments: &[],
        };
        assert!(
            at_risk(&rule, &calm, NOW).is_empty(),
            "each figure at its limit"
        );
        let idle = RiskInput {
            last_active_at: Some(NOW - 7 * DAY_MS),
            ..calm.clone()
        };
        assert_eq!(
            at_risk(&rule, &idle, NOW),
            [RiskReason::Inactive { days: 7 }]
        );
        let never = RiskInput {
            last_active_at: None,
            joined_at: NOW - DAY_MS,
            ..calm.clone()
        };
        assert!(at_risk(&rule, &never, NOW).is_empty(), "joined yesterday");
        let behind = RiskInput {
            overdue: 51,
            true_retention_30d: Some(0.69),
            ..calm.clone()
        };
        assert_eq!(
            at_risk(&rule, &behind, NOW),
            [
                RiskReason::Backlog { overdue: 51 },
                RiskReason::LowRetention { retention: 0.69 }
            ]
        );
        let work = [
            standing(1, NOW - 1, true, false),
            standing(2, NOW + 3 * DAY_MS, false, false),
            standing(3, NOW + 3 * DAY_MS + 1, false, false),
            standing(4, NOW + DAY_MS, false, true),
        ];
        let late = RiskInput {
            assignments: &work,
            ..calm
        };
        let ids: Vec<_> = at_risk(&rule, &late, NOW)
            .into_iter()
            .map(|r| match r {
                RiskReason::Missing { assignment_id, .. } => ("missing", assignment_id),
                RiskReason::OffTrack { assignment_id, .. } => ("off_track", assignment_id),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            ids,
            [("missing", 1), ("off_track", 2)],
            "3 is due later; 4 on track"
        );
    }

    #[test]
    fn hardest_cards_rank_by_lapse_rate_then_difficulty() {
        let row = |reps, lapses, d| CardRow {
            reps,
            lapses,
            difficulty: Some(d),
        };
        let cards = vec![
            ("d/easy".to_owned(), vec![row(10, 0, 3.0), row(5, 0, 2.0)]),
            ("d/hard".to_owned(), vec![row(4, 2, 8.0), row(6, 1, 7.0)]),
            ("d/tie".to_owned(), vec![row(10, 3, 9.0)]),
            (
                "d/unseen".to_owned(),
                vec![CardRow {
                    reps: 0,
                    lapses: 0,
                    difficulty: None,
                }],
            ),
        ];
        let hard = hardest_cards(cards, 10);
        let ids: Vec<_> = hard.iter().map(|c| c.card.as_str()).collect();
        assert_eq!(
            ids,
            ["d/tie", "d/hard", "d/easy"],
            "0.3 = 0.3, then difficulty 9 > 7.5"
        );
        assert_eq!(hard[1].learners, 2);
        assert_eq!(hard[1].mean_difficulty, Some(7.5));
        assert_eq!(hardest_cards(vec![], 3), []);
    }

    #[test]
    fn activity_counts_the_last_seven_study_days_and_today() {
        let calendar = StudyCalendar::new(chrono_tz::UTC, 4);
        let review = |at: i64, phase, rating| LoggedReview {
            item_id: format!("d/{at}"),
            rating,
            source: Source::Study,
            reviewed_at: at,
            phase_before: phase,
            scheduled_days_before: Some(5),
            duration_ms: 0,
        };
        let today = calendar.start_of(calendar.day_of(NOW));
        let reviews = vec![
            review(today - 7 * DAY_MS, PhaseKind::Review, Rating::Good), // 8 days back
            review(today - 6 * DAY_MS, PhaseKind::Review, Rating::Again),
            review(today - DAY_MS, PhaseKind::Review, Rating::Good),
            review(today + 1, PhaseKind::New, Rating::Good),
        ];
        let a = activity_of(&DailyLog::from_reviews(&reviews, &calendar), &calendar, NOW);
        assert_eq!(a.reviews_7d, 3);
        assert!(a.studied_today);
        assert_eq!(a.true_retention_30d, Some(2.0 / 3.0));
        let quiet = activity_of(
            &DailyLog::from_reviews(&reviews[..3], &calendar),
            &calendar,
            NOW,
        );
        assert!(!quiet.studied_today);

        let days = recent_days(
            &DailyLog::from_reviews(&reviews, &calendar),
            &calendar,
            NOW,
            7,
        );
        assert_eq!(days.len(), 7, "every day, quiet ones too");
        assert_eq!(
            days[6].date,
            calendar.date_of(calendar.day_of(NOW)).to_string()
        );
        let counts: Vec<(u32, u32)> = days.iter().map(|d| (d.answers, d.again)).collect();
        // 8 days back is outside; 7 days back (index 0) holds the Again; yesterday and today one each.
        assert_eq!(
            counts,
            [(1, 1), (0, 0), (0, 0), (0, 0), (0, 0), (1, 0), (1, 0)]
        );
    }

    #[test]
    fn cells_that_spreadsheets_read_as_formulas_are_neutralized() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(neutralize(bad), format!("'{bad}"));
        }
        assert_eq!(neutralize("a@b.test"), "a@b.test");
        assert_eq!(neutralize(""), "");
    }

    #[test]
    fn the_scope_is_the_union_of_decks_and_chosen_topics() {
        let scope = CohortScope::new([
            Covered {
                deck: "a".into(),
                topics: vec![],
            },
            Covered {
                deck: "b".into(),
                topics: vec!["t1".into()],
            },
        ]);
        assert!(scope.covers("a", "anything"));
        assert!(scope.covers("b", "t1"));
        assert!(!scope.covers("b", "t2"));
        assert!(!scope.covers("c", "t1"));
    }
}
