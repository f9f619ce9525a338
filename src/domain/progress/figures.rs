//! The progress page's charts: each figure of this module turned into a laid-out chart with
//! its id, title, description and colours, so a route only has to pass the result to the
//! matching macro of `templates/charts.html`.

use super::chart::{
    bar_chart, heatmap_chart, BarChart, BarChartSpec, Category, HeatmapChart, Series, ValueFormat,
};
use super::{DayRatings, ForecastDay, Heatmap, Histogram, QuizPoint, StudyDay, Window};

/// Names, CSS classes and fallback colours of the four ratings, in button order.
pub const RATING_SERIES: [(&str, &str, &str); 4] = [
    ("Again", "series-again", "#b3261e"),
    ("Hard", "series-hard", "#b86e00"),
    ("Good", "series-good", "#1f7a3d"),
    ("Easy", "series-easy", "#2357c6"),
];

fn day_category(day: &StudyDay) -> Category {
    Category {
        name: day.date.clone(),
        short: day.label.clone(),
    }
}

fn window_text(window: Window) -> &'static str {
    match window {
        Window::Today => "today",
        Window::Week => "the last 7 days",
        Window::Month => "the last 30 days",
        Window::Year => "the last 365 days",
    }
}

/// Study answers per day over `window`, stacked by rating.
pub fn reviews_by_rating_chart(days: &[DayRatings], window: Window) -> BarChart {
    let series = RATING_SERIES
        .iter()
        .enumerate()
        .map(|(index, &(name, class, fill))| {
            let values = days
                .iter()
                .map(|day| f64::from(day.counts[index]))
                .collect();
            Series::new(name, class, fill, values)
        })
        .collect();
    bar_chart(BarChartSpec {
        id: "reviews-by-rating".to_owned(),
        title: format!("Reviews per day, {}", window_text(window)),
        desc: format!(
            "Flashcard answers on each study day of {}, stacked by the button pressed: \
             Again, Hard, Good and Easy.",
            window_text(window)
        ),
        category_name: "Day".to_owned(),
        categories: days.iter().map(|day| day_category(&day.day)).collect(),
        series,
        stacked: true,
        format: ValueFormat::Count,
        line: None,
    })
}

/// Cards due per coming study day, stacked review over learning.
pub fn forecast_chart(days: &[ForecastDay]) -> BarChart {
    let values = |pick: fn(&ForecastDay) -> u32| days.iter().map(|d| f64::from(pick(d))).collect();
    bar_chart(BarChartSpec {
        id: "forecast".to_owned(),
        title: format!("Reviews due in the next {} days", days.len()),
        desc: "Cards due on each coming study day. Today includes every overdue card; new and \
               suspended cards are not counted."
            .to_owned(),
        category_name: "Day".to_owned(),
        categories: days.iter().map(|day| day_category(&day.day)).collect(),
        series: vec![
            Series::new("Review", "series-review", "#2357c6", values(|d| d.review)),
            Series::new(
                "Learning",
                "series-learning",
                "#b86e00",
                values(|d| d.learning),
            ),
        ],
        stacked: true,
        format: ValueFormat::Count,
        line: None,
    })
}

/// Which card histogram a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistogramKind {
    /// Current intervals.
    Interval,
    /// FSRS stability.
    Stability,
    /// FSRS difficulty.
    Difficulty,
    /// Current retrievability.
    Retrievability,
}

impl HistogramKind {
    fn text(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            HistogramKind::Interval => (
                "interval-histogram",
                "Card intervals",
                "How many studied cards have each interval: the days between their last \
                 review and the next.",
                "Interval",
            ),
            HistogramKind::Stability => (
                "stability-histogram",
                "Card stability",
                "How many studied cards have each stability: the days it takes for their \
                 recall probability to fall to 90%.",
                "Stability",
            ),
            HistogramKind::Difficulty => (
                "difficulty-histogram",
                "Card difficulty",
                "How many studied cards have each difficulty, from 1 (easiest) to 10 (hardest).",
                "Difficulty",
            ),
            HistogramKind::Retrievability => (
                "retrievability-histogram",
                "Chance of recalling each card now",
                "How many studied cards the learner would recall now with each probability.",
                "Recall probability",
            ),
        }
    }
}

/// A card histogram as a bar chart.
pub fn histogram_chart(kind: HistogramKind, histogram: &Histogram) -> BarChart {
    let (id, title, desc, category_name) = kind.text();
    bar_chart(BarChartSpec {
        id: id.to_owned(),
        title: title.to_owned(),
        desc: desc.to_owned(),
        category_name: category_name.to_owned(),
        categories: histogram
            .bins
            .iter()
            .map(|bin| Category::named(bin.label))
            .collect(),
        series: vec![Series::new(
            "Cards",
            "series-cards",
            "#2357c6",
            histogram
                .bins
                .iter()
                .map(|bin| f64::from(bin.count))
                .collect(),
        )],
        stacked: false,
        format: ValueFormat::Count,
        line: None,
    })
}

/// Quiz scores in time order with their moving average drawn as a line.
pub fn quiz_trend_chart(points: &[QuizPoint]) -> BarChart {
    bar_chart(BarChartSpec {
        id: "quiz-trend".to_owned(),
        title: "Quiz scores".to_owned(),
        desc: "The score of each closed quiz attempt in the order they were taken, with the \
               average of the last few attempts as a line."
            .to_owned(),
        category_name: "Closed".to_owned(),
        categories: points
            .iter()
            .map(|point| day_category(&point.day))
            .collect(),
        series: vec![Series::new(
            "Score",
            "series-score",
            "#8fb0ea",
            points.iter().map(|point| point.score).collect(),
        )],
        stacked: false,
        format: ValueFormat::Percent,
        line: Some(Series::new(
            "Moving average",
            "series-average",
            "#2357c6",
            points.iter().map(|point| point.moving_average).collect(),
        )),
    })
}

/// The year of study days as a heatmap.
pub fn review_heatmap_chart(heatmap: &Heatmap) -> HeatmapChart {
    heatmap_chart(
        "review-heatmap",
        "Reviews per day over the last year",
        &format!(
            "One square per study day, darker for more answers: {} answers on {} days; the \
             busiest day had {}.",
            heatmap.total, heatmap.active_days, heatmap.max
        ),
        heatmap,
    )
}
