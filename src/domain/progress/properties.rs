//! Properties that must hold for any review log or card set, checked with proptest.

use proptest::prelude::*;

use super::chart::{bar_chart, nice_ticks, BarChartSpec, Category, Series, ValueFormat};
use super::{
    calendar_heatmap, card_counts, contribution, streak, sum_buckets, topic_progress,
    true_retention, Bucket, CardSnapshot, DailyLog, LoggedReview, PhaseKind, Rating, RecallCheck,
    RetentionRow, Source, StudyCalendar, TopicCards, MAX_LEVEL,
};

const NOW: i64 = 1_720_000_000_000;
const DAY: i64 = 86_400_000;

fn calendar() -> StudyCalendar {
    StudyCalendar::new(chrono_tz::America::New_York, 4)
}

fn phase(index: u8) -> PhaseKind {
    [
        PhaseKind::New,
        PhaseKind::Learning,
        PhaseKind::Review,
        PhaseKind::Relearning,
    ][usize::from(index % 4)]
}

fn any_review() -> impl Strategy<Value = LoggedReview> {
    (
        0u8..6,
        0usize..4,
        0u8..3,
        -400 * DAY..2 * DAY,
        0u8..4,
        0u32..60,
    )
        .prop_map(
            |(item, rating, source, offset, phase_index, interval)| LoggedReview {
                item_id: format!("c{item}"),
                rating: Rating::ALL[rating],
                source: [Source::Study, Source::Ahead, Source::Quiz][usize::from(source)],
                reviewed_at: NOW + offset,
                phase_before: phase(phase_index),
                scheduled_days_before: Some(interval),
                duration_ms: 1_000,
            },
        )
}

fn any_card() -> impl Strategy<Value = CardSnapshot> {
    (0u8..3, 0u8..4, any::<bool>(), any::<bool>(), 0.0f64..=1.0).prop_map(
        |(topic, phase_index, suspended, leech, recall)| CardSnapshot {
            item_id: "c".to_owned(),
            deck_id: "d".to_owned(),
            topic: format!("t{topic}"),
            phase: phase(phase_index),
            due: Some(NOW),
            stability: Some(1.0),
            difficulty: Some(5.0),
            scheduled_days: Some(1),
            last_review_at: Some(NOW),
            suspended,
            leech,
            retrievability: Some(recall),
        },
    )
}

fn within(shorter: &RetentionRow, longer: &RetentionRow) -> bool {
    shorter.total.passed <= longer.total.passed && shorter.total.failed <= longer.total.failed
}

/// Answers to three cards over ten days, minutes apart, so that many cards are answered
/// again within a day (the rollups' hard case).
fn dense_reviews() -> impl Strategy<Value = Vec<LoggedReview>> {
    prop::collection::vec((any_review(), 0u8..3, 0i64..10 * 24 * 60), 0..80).prop_map(|entries| {
        let mut reviews: Vec<LoggedReview> = entries
            .into_iter()
            .map(|(review, item, minute)| LoggedReview {
                item_id: format!("c{item}"),
                reviewed_at: NOW - 10 * DAY + minute * 60_000,
                ..review
            })
            .collect();
        // Answers are logged in time order.
        reviews.sort_by_key(|r| r.reviewed_at);
        reviews
    })
}

/// The rollups the write path keeps for `reviews` (in time order).
fn rollup_buckets(reviews: &[LoggedReview]) -> (Vec<Bucket>, Vec<RecallCheck>) {
    let mut last: std::collections::HashMap<&str, i64> = Default::default();
    let mut contributions = Vec::new();
    for review in reviews {
        contributions.push(contribution(
            review,
            last.get(review.item_id.as_str()).copied(),
        ));
        last.insert(&review.item_id, review.reviewed_at);
    }
    let checks = contributions.iter().filter_map(|c| c.check).collect();
    (sum_buckets(contributions), checks)
}

fn any_calendar() -> impl Strategy<Value = StudyCalendar> {
    use chrono_tz::{America, Asia, Australia, Europe, Pacific, UTC};
    let zones = [
        UTC,
        Europe::Berlin,
        America::New_York,
        Asia::Kathmandu,
        Asia::Kolkata,
        Australia::Lord_Howe,
        Pacific::Chatham,
    ];
    (0usize..zones.len(), 0u8..24)
        .prop_map(move |(zone, hour)| StudyCalendar::new(zones[zone], hour))
}

proptest! {
    #[test]
    fn rollups_give_the_same_days_as_the_log_under_any_calendar(
        reviews in dense_reviews(),
        calendar in any_calendar(),
        spread in prop::collection::vec(any_review(), 0..40)
    ) {
        // Contributions are worked out without any calendar, so a learner who changes
        // timezone gets the same figures as if they had always lived there.
        let mut reviews = reviews;
        reviews.extend(spread);
        reviews.sort_by_key(|r| r.reviewed_at);
        let (buckets, checks) = rollup_buckets(&reviews);
        prop_assert!(buckets.iter().map(|b| b.answers as usize).sum::<usize>() == reviews.len());
        prop_assert_eq!(
            DailyLog::from_rollups(&buckets, &checks, &calendar),
            DailyLog::from_reviews(&reviews, &calendar)
        );
    }

    #[test]
    fn retention_windows_nest_and_young_plus_mature_is_total(
        reviews in prop::collection::vec(any_review(), 0..60)
    ) {
        let retention = true_retention(&reviews, &calendar(), NOW);
        let rows = retention.rows();
        for pair in rows.windows(2) {
            prop_assert!(within(&pair[0], &pair[1]), "{:?}", pair);
        }
        for row in rows {
            prop_assert_eq!(row.total.passed, row.young.passed + row.mature.passed);
            prop_assert_eq!(row.total.failed, row.young.failed + row.mature.failed);
            if let Some(rate) = row.total.rate {
                prop_assert!((0.0..=1.0).contains(&rate));
            }
        }
    }

    #[test]
    fn streak_is_never_longer_than_the_longest(
        reviews in prop::collection::vec(any_review(), 0..60)
    ) {
        let calendar = calendar();
        let streak = streak(&reviews, &calendar, NOW);
        prop_assert!(streak.current <= streak.longest);
        let today = calendar.day_of(NOW);
        let answered_today = reviews.iter().any(|r| calendar.day_of(r.reviewed_at) == today);
        prop_assert_eq!(streak.studied_today, answered_today);
    }

    #[test]
    fn heatmap_counts_every_answer_of_the_year_once(
        reviews in prop::collection::vec(any_review(), 0..60)
    ) {
        let calendar = calendar();
        let heatmap = calendar_heatmap(&reviews, &calendar, NOW);
        let today = calendar.day_of(NOW);
        let in_year = reviews
            .iter()
            .filter(|r| (today - 364..=today).contains(&calendar.day_of(r.reviewed_at)))
            .count();
        prop_assert_eq!(heatmap.total as usize, in_year);
        for day in &heatmap.days {
            prop_assert!(day.level <= MAX_LEVEL);
            prop_assert_eq!(day.level == 0, day.count == 0);
        }
    }

    #[test]
    fn card_states_partition_the_study_set(
        cards in prop::collection::vec(any_card(), 0..40),
        unstudied in 0usize..20
    ) {
        let counts = card_counts(&cards, cards.len() + unstudied);
        let states = counts.new + counts.learning + counts.review + counts.relearning;
        prop_assert_eq!(states + counts.suspended, counts.total);
    }

    #[test]
    fn mastery_never_exceeds_coverage(
        cards in prop::collection::vec(any_card(), 0..40),
        sizes in prop::collection::vec(0usize..20, 3)
    ) {
        let topics: Vec<TopicCards> = sizes
            .iter()
            .enumerate()
            .map(|(i, &total_cards)| TopicCards {
                deck_id: "d".to_owned(),
                topic: format!("t{i}"),
                title: String::new(),
                total_cards,
            })
            .collect();
        for topic in topic_progress(&topics, &cards, &[]) {
            prop_assert!(0.0 <= topic.mastery && topic.mastery <= topic.coverage + 1e-12);
            prop_assert!(topic.coverage <= 1.0);
        }
    }

    #[test]
    fn ticks_start_at_zero_and_cover_the_maximum(max in 0.0f64..1e7, whole in any::<bool>()) {
        let ticks = nice_ticks(max, 5, whole);
        prop_assert_eq!(ticks[0], 0.0);
        prop_assert!(*ticks.last().unwrap() >= max);
        prop_assert!(ticks.len() <= 11, "{:?}", ticks);
        prop_assert!(ticks.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn bars_stay_inside_the_frame(
        values in prop::collection::vec(prop::collection::vec(0.0f64..1000.0, 1..40), 1..5),
        stacked in any::<bool>()
    ) {
        let categories = values.iter().map(Vec::len).max().unwrap_or(0);
        let chart = bar_chart(BarChartSpec {
            id: "p".to_owned(),
            title: String::new(),
            desc: String::new(),
            category_name: String::new(),
            categories: (0..categories).map(|i| Category::named(&i.to_string())).collect(),
            series: values
                .into_iter()
                .map(|values| Series::new("s", "s", "#000", values))
                .collect(),
            stacked,
            format: ValueFormat::Count,
            line: None,
        });
        let frame = chart.frame;
        for bar in &chart.bars {
            prop_assert!(bar.x >= frame.x - 0.01 && bar.x + bar.width <= frame.right + 0.02);
            prop_assert!(bar.y >= frame.y - 0.01 && bar.y + bar.height <= frame.bottom + 0.02);
        }
    }
}
