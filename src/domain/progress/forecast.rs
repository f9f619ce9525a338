//! The review forecast: how many cards fall due on each of the coming study days.
//!
//! Day 0 is today and includes everything already overdue, so it is the size of today's
//! review queue. New cards (not yet studied) and suspended cards are left out: they will not
//! be shown as reviews.

use serde::Serialize;

use super::{CardSnapshot, PhaseKind, StudyCalendar, StudyDay};

/// How many study days the progress page forecasts, today included.
pub const FORECAST_DAYS: u32 = 30;

/// Cards due on one study day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForecastDay {
    /// 0 = today, 1 = tomorrow ...
    pub offset: u32,
    /// The study day.
    pub day: StudyDay,
    /// Cards in the Review phase due that day.
    pub review: u32,
    /// Cards on a learning or relearning step due that day.
    pub learning: u32,
}

impl ForecastDay {
    /// All cards due that day.
    pub fn total(&self) -> u32 {
        self.review + self.learning
    }
}

/// Cards due on each of the `days` study days starting today (`days` entries, oldest first).
pub fn forecast(
    cards: &[CardSnapshot],
    calendar: &StudyCalendar,
    now_ms: i64,
    days: u32,
) -> Vec<ForecastDay> {
    let today = calendar.day_of(now_ms);
    let mut forecast: Vec<ForecastDay> = (0..days)
        .map(|offset| ForecastDay {
            offset,
            day: calendar.study_day(today + i64::from(offset)),
            review: 0,
            learning: 0,
        })
        .collect();

    for card in cards {
        if card.suspended || card.phase == PhaseKind::New {
            continue;
        }
        let Some(due) = card.due else { continue };
        let offset = (calendar.day_of(due) - today).max(0);
        let Some(slot) = usize::try_from(offset)
            .ok()
            .and_then(|offset| forecast.get_mut(offset))
        else {
            continue;
        };
        if card.phase == PhaseKind::Review {
            slot.review += 1;
        } else {
            slot.learning += 1;
        }
    }
    forecast
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::test_support::{card, local_ms};
    use chrono_tz::Asia::Tokyo;

    fn due(item: &str, phase: PhaseKind, local: &str) -> CardSnapshot {
        CardSnapshot {
            phase,
            due: Some(local_ms(Tokyo, local)),
            ..card(item, "t")
        }
    }

    #[test]
    fn overdue_cards_fall_on_today_and_excluded_cards_nowhere() {
        // Arrange: today is the study day of 2024-05-01 in Tokyo (days start 04:00).
        let calendar = StudyCalendar::new(Tokyo, 4);
        let now = local_ms(Tokyo, "2024-05-01 12:00");
        let cards = vec![
            due("overdue", PhaseKind::Review, "2024-04-20 09:00"),
            due("later today", PhaseKind::Learning, "2024-05-01 23:00"),
            due("before day start", PhaseKind::Review, "2024-05-02 03:00"),
            due("tomorrow", PhaseKind::Relearning, "2024-05-02 05:00"),
            due("day 29", PhaseKind::Review, "2024-05-30 10:00"),
            due("day 30", PhaseKind::Review, "2024-05-31 10:00"),
            CardSnapshot {
                suspended: true,
                ..due("suspended", PhaseKind::Review, "2024-05-01 09:00")
            },
            due("new", PhaseKind::New, "2024-05-01 09:00"),
            CardSnapshot {
                due: None,
                ..card("no due", "t")
            },
        ];

        // Act
        let forecast = forecast(&cards, &calendar, now, FORECAST_DAYS);

        // Assert
        assert_eq!(forecast.len(), 30);
        assert_eq!((forecast[0].review, forecast[0].learning), (2, 1));
        assert_eq!((forecast[1].review, forecast[1].learning), (0, 1));
        assert_eq!(forecast[1].day.date, "2024-05-02");
        assert_eq!(forecast[29].total(), 1, "day 29 is the last one shown");
        let shown: u32 = forecast.iter().map(ForecastDay::total).sum();
        assert_eq!(shown, 5);
    }
}
