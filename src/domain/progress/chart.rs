//! Chart geometry: turns series of numbers into positioned SVG marks, so the templates in
//! `templates/charts.html` only place numbers and never compute anything.
//!
//! Everything is in the units of the chart's `viewBox` (the SVG scales to its container, so
//! phones get the same chart, smaller). Coordinates are rounded to hundredths to keep the
//! markup short. Every chart carries its data as a [`DataTable`] too, for screen readers and
//! for anyone who wants the numbers. Colours are CSS classes with a default `fill`
//! presentation attribute as fallback; no inline styles (the CSP forbids them).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::heatmap::{Heatmap, MAX_LEVEL};

/// Width of every chart's `viewBox`.
pub const WIDTH: f64 = 640.0;
/// Height of a bar chart's `viewBox`.
pub const BAR_CHART_HEIGHT: f64 = 240.0;

const MARGIN_LEFT: f64 = 44.0;
const MARGIN_RIGHT: f64 = 8.0;
const MARGIN_TOP: f64 = 10.0;
const LEGEND_HEIGHT: f64 = 20.0;
const MARGIN_BOTTOM: f64 = 24.0;
/// Most x-axis labels shown; with more categories only every n-th is labelled.
const MAX_X_LABELS: usize = 10;
/// About how many gridlines a value axis gets.
const TARGET_TICKS: usize = 5;

/// How values are written on the axis, in tooltips and in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    /// Whole counts (`12`).
    Count,
    /// Fractions 0-1 written as percentages (`85%`); the axis always runs 0-100%.
    Percent,
}

impl ValueFormat {
    /// A value as text.
    pub fn format(self, value: f64) -> String {
        match self {
            ValueFormat::Count if value.fract() == 0.0 => format!("{value:.0}"),
            ValueFormat::Count => format!("{value:.1}"),
            ValueFormat::Percent => format!("{:.0}%", value * 100.0),
        }
    }
}

/// One named sequence of values, one per category.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Its name, for the legend and the table header.
    pub name: String,
    /// CSS class of its marks (e.g. `series-good`).
    pub class: String,
    /// Default colour when no stylesheet sets one.
    pub fill: String,
    /// One value per category; missing values are 0, negative ones are drawn as 0.
    pub values: Vec<f64>,
}

impl Series {
    /// A series from its name, class, fallback colour and values.
    pub fn new(name: &str, class: &str, fill: &str, values: Vec<f64>) -> Series {
        Series {
            name: name.to_owned(),
            class: class.to_owned(),
            fill: fill.to_owned(),
            values,
        }
    }
}

/// A category on the x axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Its full name, for tooltips and the table (e.g. `2024-05-01`).
    pub name: String,
    /// A short name for the axis (e.g. `1 May`).
    pub short: String,
}

impl Category {
    /// A category whose axis label is its name.
    pub fn named(name: &str) -> Category {
        Category {
            name: name.to_owned(),
            short: name.to_owned(),
        }
    }
}

/// What a bar chart should show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarChartSpec {
    /// A page-unique id prefix for the chart's `<title>` and `<desc>`.
    pub id: String,
    /// Short accessible name.
    pub title: String,
    /// One or two sentences saying what the chart shows.
    pub desc: String,
    /// Header of the table's first column (what the categories are, e.g. `Day`).
    pub category_name: String,
    /// The x-axis categories.
    pub categories: Vec<Category>,
    /// The bar series.
    pub series: Vec<Series>,
    /// Stack the series on each other rather than side by side.
    pub stacked: bool,
    /// How values are written.
    pub format: ValueFormat,
    /// A series drawn as a line over the bars, on the same scale.
    pub line: Option<Series>,
}

/// The plot area inside the margins.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Frame {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge (the zero line).
    pub bottom: f64,
}

/// One bar, ready to draw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// What the bar is (category, and series when there are several), for its tooltip.
    pub label: String,
    /// Its value as text.
    pub value: String,
    /// CSS class of its series.
    pub class: String,
    /// Fallback colour.
    pub fill: String,
}

/// A gridline on the value axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tick {
    /// Where the gridline is.
    pub y: f64,
    /// Its value as text.
    pub label: String,
    /// Where the text ends (it is right-aligned against the axis).
    pub label_x: f64,
    /// The text's baseline.
    pub label_y: f64,
}

/// A piece of text placed on the chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    /// Anchor x.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// The text.
    pub text: String,
}

/// A legend swatch with its name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LegendEntry {
    /// Swatch left edge.
    pub x: f64,
    /// Swatch top edge.
    pub y: f64,
    /// Where the name starts.
    pub text_x: f64,
    /// The name's baseline.
    pub text_y: f64,
    /// The series name.
    pub name: String,
    /// CSS class of the series.
    pub class: String,
    /// Fallback colour.
    pub fill: String,
}

/// A point of an overlay line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dot {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// What the point is, for its tooltip.
    pub label: String,
    /// Its value as text.
    pub value: String,
}

/// A line drawn over the bars.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// The `points` attribute of a `<polyline>`.
    pub points: String,
    /// The points, for markers with tooltips.
    pub dots: Vec<Dot>,
    /// The series name.
    pub name: String,
    /// CSS class.
    pub class: String,
    /// Fallback stroke colour.
    pub stroke: String,
}

/// A row of a data table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// The row header (the category).
    pub header: String,
    /// One cell per column after the first.
    pub cells: Vec<String>,
}

/// The numbers behind a chart, as a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataTable {
    /// The table's caption.
    pub caption: String,
    /// Column headers, the row-header column first.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<TableRow>,
}

/// A bar chart, laid out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarChart {
    /// Id prefix for `<title>` and `<desc>`.
    pub id: String,
    /// Accessible name.
    pub title: String,
    /// Accessible description.
    pub desc: String,
    /// `viewBox` width.
    pub width: f64,
    /// `viewBox` height.
    pub height: f64,
    /// The plot area.
    pub frame: Frame,
    /// Bars with a value above 0.
    pub bars: Vec<Bar>,
    /// Value-axis gridlines, bottom first.
    pub ticks: Vec<Tick>,
    /// Category labels under the axis (thinned out when there are many).
    pub x_labels: Vec<Label>,
    /// One entry per series when there are several (or a line), else empty.
    pub legend: Vec<LegendEntry>,
    /// The overlay line, if any.
    pub line: Option<Line>,
    /// The data as a table.
    pub table: DataTable,
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Gridline values from 0 to a round number at or above `max`, about `target` steps apart.
/// Steps are 1, 2 or 5 times a power of ten; with `whole` they are at least 1.
pub fn nice_ticks(max: f64, target: usize, whole: bool) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = match raw / magnitude {
        n if n <= 1.0 => magnitude,
        n if n <= 2.0 => 2.0 * magnitude,
        n if n <= 5.0 => 5.0 * magnitude,
        _ => 10.0 * magnitude,
    };
    let step = if whole { step.max(1.0) } else { step };
    // The small slack keeps float noise (0.30000000000000004) from adding a step.
    let steps = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=steps)
        .map(|i| (i as f64 * step * 1e9).round() / 1e9)
        .collect()
}

fn value_at(series: &Series, index: usize) -> f64 {
    series
        .values
        .get(index)
        .copied()
        .filter(|value| value.is_finite())
        .unwrap_or(0.0)
        .max(0.0)
}

/// Lays out a bar chart.
pub fn bar_chart(spec: BarChartSpec) -> BarChart {
    let count = spec.categories.len();
    let has_legend = spec.series.len() > 1 || spec.line.is_some();
    let top = MARGIN_TOP + if has_legend { LEGEND_HEIGHT } else { 0.0 };
    let frame = Frame {
        x: MARGIN_LEFT,
        y: top,
        width: WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
        height: BAR_CHART_HEIGHT - top - MARGIN_BOTTOM,
        right: WIDTH - MARGIN_RIGHT,
        bottom: BAR_CHART_HEIGHT - MARGIN_BOTTOM,
    };

    let highest = (0..count)
        .map(|index| {
            let bars = spec.series.iter().map(|series| value_at(series, index));
            let bar_top = if spec.stacked {
                bars.sum()
            } else {
                bars.fold(0.0, f64::max)
            };
            let line = spec.line.as_ref().map_or(0.0, |line| value_at(line, index));
            f64::max(bar_top, line)
        })
        .fold(0.0, f64::max);
    let tick_values = match spec.format {
        ValueFormat::Percent => nice_ticks(1.0, 4, false),
        ValueFormat::Count => nice_ticks(highest, TARGET_TICKS, true),
    };
    let axis_max = tick_values.last().copied().unwrap_or(1.0);
    let y_of = |value: f64| frame.bottom - value.min(axis_max) / axis_max * frame.height;
    let ticks = tick_values
        .iter()
        .map(|&value| Tick {
            y: round2(y_of(value)),
            label: spec.format.format(value),
            label_x: frame.x - 6.0,
            label_y: round2(y_of(value) + 3.5),
        })
        .collect();

    let band = frame.width / count.max(1) as f64;
    // Thin bands (a year of days) get no gap, or the gaps would swallow the bars.
    let gap = if band >= 4.0 { band * 0.15 } else { 0.0 };
    let inner = band - 2.0 * gap;
    let several = spec.series.len() > 1;
    let mut bars = Vec::new();
    for (index, category) in spec.categories.iter().enumerate() {
        let left = frame.x + band * index as f64 + gap;
        let mut stacked_below = 0.0;
        let width = if spec.stacked || !several {
            inner
        } else {
            inner / spec.series.len() as f64
        };
        for (position, series) in spec.series.iter().enumerate() {
            let value = value_at(series, index);
            let (base, x) = if spec.stacked {
                (stacked_below, left)
            } else {
                (0.0, left + width * position as f64)
            };
            stacked_below += value;
            if value <= 0.0 {
                continue;
            }
            let y = y_of(base + value);
            bars.push(Bar {
                x: round2(x),
                y: round2(y),
                width: round2(width),
                height: round2(y_of(base) - y),
                label: if several {
                    format!("{} · {}", category.name, series.name)
                } else {
                    category.name.clone()
                },
                value: spec.format.format(value),
                class: series.class.clone(),
                fill: series.fill.clone(),
            });
        }
    }

    let every = count.div_ceil(MAX_X_LABELS).max(1);
    let x_labels = spec
        .categories
        .iter()
        .enumerate()
        .filter(|(index, _)| index % every == 0)
        .map(|(index, category)| Label {
            x: round2(frame.x + band * (index as f64 + 0.5)),
            y: frame.bottom + 16.0,
            text: category.short.clone(),
        })
        .collect();

    let line = spec.line.as_ref().map(|series| {
        let dots: Vec<Dot> = spec
            .categories
            .iter()
            .enumerate()
            .map(|(index, category)| Dot {
                x: round2(frame.x + band * (index as f64 + 0.5)),
                y: round2(y_of(value_at(series, index))),
                label: format!("{} · {}", category.name, series.name),
                value: spec.format.format(value_at(series, index)),
            })
            .collect();
        Line {
            points: dots
                .iter()
                .map(|dot| format!("{},{}", dot.x, dot.y))
                .collect::<Vec<_>>()
                .join(" "),
            dots,
            name: series.name.clone(),
            class: series.class.clone(),
            stroke: series.fill.clone(),
        }
    });

    let legend = if has_legend {
        legend_row(spec.series.iter().chain(spec.line.as_ref()))
    } else {
        Vec::new()
    };

    let table = bar_table(&spec);
    BarChart {
        id: spec.id,
        title: spec.title,
        desc: spec.desc,
        width: WIDTH,
        height: BAR_CHART_HEIGHT,
        frame,
        bars,
        ticks,
        x_labels,
        legend,
        line,
        table,
    }
}

/// Legend entries in a row along the top; each slot fits a name of about 14 characters.
fn legend_row<'a>(series: impl Iterator<Item = &'a Series>) -> Vec<LegendEntry> {
    let mut x = MARGIN_LEFT;
    series
        .map(|series| {
            let entry = LegendEntry {
                x,
                y: MARGIN_TOP - 2.0,
                text_x: x + 14.0,
                text_y: MARGIN_TOP + 7.0,
                name: series.name.clone(),
                class: series.class.clone(),
                fill: series.fill.clone(),
            };
            x += 24.0 + 6.5 * series.name.chars().count() as f64;
            entry
        })
        .collect()
}

fn bar_table(spec: &BarChartSpec) -> DataTable {
    let mut columns = vec![spec.category_name.clone()];
    columns.extend(spec.series.iter().map(|series| series.name.clone()));
    if spec.stacked && spec.series.len() > 1 {
        columns.push("Total".to_owned());
    }
    if let Some(line) = &spec.line {
        columns.push(line.name.clone());
    }
    let rows = spec
        .categories
        .iter()
        .enumerate()
        .map(|(index, category)| {
            let mut cells: Vec<String> = spec
                .series
                .iter()
                .map(|series| spec.format.format(value_at(series, index)))
                .collect();
            if spec.stacked && spec.series.len() > 1 {
                let total = spec
                    .series
                    .iter()
                    .map(|series| value_at(series, index))
                    .sum();
                cells.push(spec.format.format(total));
            }
            if let Some(line) = &spec.line {
                cells.push(spec.format.format(value_at(line, index)));
            }
            TableRow {
                header: category.name.clone(),
                cells,
            }
        })
        .collect();
    DataTable {
        caption: spec.title.clone(),
        columns,
        rows,
    }
}

/// Side of a heatmap cell.
const CELL: f64 = 10.0;
/// Distance between neighbouring heatmap cells.
const PITCH: f64 = 12.0;
const HEAT_LEFT: f64 = 30.0;
const HEAT_TOP: f64 = 16.0;
const HEAT_RIGHT: f64 = 8.0;

/// Fallback colours of heatmap levels 0-4 (light; the stylesheet can theme them).
pub const HEAT_FILLS: [&str; 5] = ["#e5e7e3", "#c6d7f5", "#8fb0ea", "#4f7fd6", "#2357c6"];

/// One day of the heatmap, ready to draw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeatCell {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Side length.
    pub size: f64,
    /// Tooltip, e.g. `2024-05-01: 3 reviews`.
    pub label: String,
    /// `heat-0` to `heat-4`.
    pub class: String,
    /// Fallback colour.
    pub fill: String,
}

/// A calendar heatmap, laid out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeatmapChart {
    /// Id prefix for `<title>` and `<desc>`.
    pub id: String,
    /// Accessible name.
    pub title: String,
    /// Accessible description.
    pub desc: String,
    /// `viewBox` width.
    pub width: f64,
    /// `viewBox` height.
    pub height: f64,
    /// One cell per day.
    pub cells: Vec<HeatCell>,
    /// Month names above the first week holding the 1st.
    pub month_labels: Vec<Label>,
    /// Mon, Wed, Fri beside their rows.
    pub weekday_labels: Vec<Label>,
    /// One swatch per level, lowest first; each cell's label says what it stands for.
    pub legend: Vec<HeatCell>,
    /// "Less" before the legend swatches.
    pub legend_less: Label,
    /// "More" after them.
    pub legend_more: Label,
    /// Reviews and days studied per month.
    pub table: DataTable,
}

fn reviews_text(count: u32) -> String {
    if count == 1 {
        "1 review".to_owned()
    } else {
        format!("{count} reviews")
    }
}

/// What a heatmap level stands for when the busiest day had `max` answers.
fn level_meaning(level: u8, max: u32) -> String {
    if level == 0 {
        return "No reviews".to_owned();
    }
    let quarter = |k: u32| u32::try_from(u64::from(k) * u64::from(max) / 4).unwrap_or(max);
    let low = quarter(u32::from(level) - 1) + 1;
    let high = quarter(u32::from(level));
    match low.cmp(&high) {
        std::cmp::Ordering::Less => format!("{low}–{high} reviews a day"),
        std::cmp::Ordering::Equal => format!("{} a day", reviews_text(low)),
        std::cmp::Ordering::Greater => "No days at this level".to_owned(),
    }
}

/// Lays out a calendar heatmap: weeks as columns, Monday at the top.
pub fn heatmap_chart(id: &str, title: &str, desc: &str, heatmap: &Heatmap) -> HeatmapChart {
    let heat_cell = |x: f64, y: f64, level: u8, label: String| HeatCell {
        x: round2(x),
        y: round2(y),
        size: CELL,
        label,
        class: format!("heat-{level}"),
        fill: HEAT_FILLS[usize::from(level.min(MAX_LEVEL))].to_owned(),
    };
    let cells = heatmap
        .days
        .iter()
        .map(|day| {
            heat_cell(
                HEAT_LEFT + f64::from(day.week) * PITCH,
                HEAT_TOP + f64::from(day.day.weekday) * PITCH,
                day.level,
                format!("{}: {}", day.day.date, reviews_text(day.count)),
            )
        })
        .collect();

    let mut month_labels = Vec::new();
    let mut months: Vec<(String, String, u32, u32)> = Vec::new();
    for day in &heatmap.days {
        let date = NaiveDate::parse_from_str(&day.day.date, "%Y-%m-%d").ok();
        if let Some(date) = date.filter(|date| date.day() == 1) {
            month_labels.push(Label {
                x: HEAT_LEFT + f64::from(day.week) * PITCH,
                y: HEAT_TOP - 5.0,
                text: date.format("%b").to_string(),
            });
        }
        let month = day.day.date.get(..7).unwrap_or_default();
        if months.last().is_none_or(|last| last.0 != month) {
            let name = date.map_or_else(|| month.to_owned(), |d| d.format("%B %Y").to_string());
            months.push((month.to_owned(), name, 0, 0));
        }
        if let Some(last) = months.last_mut() {
            last.2 += day.count;
            last.3 += u32::from(day.count > 0);
        }
    }

    let weekday_labels = [(0, "Mon"), (2, "Wed"), (4, "Fri")]
        .into_iter()
        .map(|(row, text)| Label {
            x: HEAT_LEFT - 4.0,
            y: HEAT_TOP + f64::from(row) * PITCH + CELL - 1.0,
            text: text.to_owned(),
        })
        .collect();

    let width = round2(HEAT_LEFT + f64::from(heatmap.weeks.max(1)) * PITCH + HEAT_RIGHT);
    // A month starting in the last column or two has no room for its name.
    month_labels.retain(|label| label.x + 18.0 <= width);
    let legend_y = HEAT_TOP + 7.0 * PITCH + 6.0;
    let legend_x = width - HEAT_RIGHT - 30.0 - f64::from(MAX_LEVEL + 1) * PITCH;
    let legend = (0..=MAX_LEVEL)
        .map(|level| {
            heat_cell(
                legend_x + f64::from(level) * PITCH,
                legend_y,
                level,
                level_meaning(level, heatmap.max),
            )
        })
        .collect();

    HeatmapChart {
        id: id.to_owned(),
        title: title.to_owned(),
        desc: desc.to_owned(),
        width,
        height: legend_y + CELL + 6.0,
        cells,
        month_labels,
        weekday_labels,
        legend,
        legend_less: Label {
            x: legend_x - 4.0,
            y: legend_y + CELL - 1.0,
            text: "Less".to_owned(),
        },
        legend_more: Label {
            x: legend_x + f64::from(MAX_LEVEL + 1) * PITCH + 2.0,
            y: legend_y + CELL - 1.0,
            text: "More".to_owned(),
        },
        table: DataTable {
            caption: title.to_owned(),
            columns: vec![
                "Month".to_owned(),
                "Reviews".to_owned(),
                "Days studied".to_owned(),
            ],
            rows: months
                .into_iter()
                .map(|(_, name, reviews, days)| TableRow {
                    header: name,
                    cells: vec![reviews.to_string(), days.to_string()],
                })
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::progress::{calendar_heatmap, StudyCalendar};

    fn spec(categories: usize, series: Vec<Series>, stacked: bool) -> BarChartSpec {
        BarChartSpec {
            id: "t".to_owned(),
            title: "T".to_owned(),
            desc: "D".to_owned(),
            category_name: "C".to_owned(),
            categories: (0..categories)
                .map(|i| Category::named(&i.to_string()))
                .collect(),
            series,
            stacked,
            format: ValueFormat::Count,
            line: None,
        }
    }

    #[test]
    fn ticks_are_round_steps_covering_the_maximum() {
        let cases: [(f64, bool, &[f64], &str); 7] = [
            (0.0, true, &[0.0, 1.0], "empty data still gets an axis"),
            (
                3.0,
                true,
                &[0.0, 1.0, 2.0, 3.0],
                "whole steps never go below 1",
            ),
            (10.0, true, &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0], "exact top"),
            (
                11.0,
                true,
                &[0.0, 5.0, 10.0, 15.0],
                "rounds up to the next step",
            ),
            (
                230.0,
                true,
                &[0.0, 50.0, 100.0, 150.0, 200.0, 250.0],
                "hundreds",
            ),
            (1.0, false, &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], "fractions"),
            (f64::NAN, true, &[0.0, 1.0], "not a number"),
        ];
        for (max, whole, expected, why) in cases {
            assert_eq!(nice_ticks(max, 5, whole), expected, "{why}: max {max}");
        }
    }

    #[test]
    fn stacked_bars_sit_on_each_other_inside_their_band() {
        // Arrange: 2 categories over a 588-wide frame, so bands are 294 wide with 44.1 gaps;
        // the values 2 + 3 stack to 5, which is also the axis top (ticks 0..5).
        let chart = bar_chart(spec(
            2,
            vec![
                Series::new("a", "series-a", "#111", vec![2.0, 0.0]),
                Series::new("b", "series-b", "#222", vec![3.0, 1.0]),
            ],
            true,
        ));

        // Assert: the frame starts at y 30 (10 + legend 20) and ends at 216, 186 high.
        assert_eq!((chart.frame.y, chart.frame.bottom), (30.0, 216.0));
        assert_eq!(chart.ticks.last().unwrap().label, "5");
        let a = &chart.bars[0];
        assert_eq!((a.x, a.width, a.height, a.y), (88.1, 205.8, 74.4, 141.6));
        let b = &chart.bars[1];
        assert_eq!(
            (b.x, b.y, b.height),
            (88.1, 30.0, 111.6),
            "b starts where a ends"
        );
        assert_eq!(chart.bars.len(), 3, "zero values draw nothing");
        assert_eq!(chart.bars[2].label, "1 · b");
        assert_eq!(chart.table.columns, ["C", "a", "b", "Total"]);
        assert_eq!(chart.table.rows[0].cells, ["2", "3", "5"]);
    }

    #[test]
    fn grouped_bars_share_their_band_side_by_side() {
        let chart = bar_chart(spec(
            1,
            vec![
                Series::new("a", "series-a", "#111", vec![4.0]),
                Series::new("b", "series-b", "#222", vec![-1.0]),
                Series::new("c", "series-c", "#333", vec![2.0]),
            ],
            false,
        ));
        let xs: Vec<(f64, f64)> = chart.bars.iter().map(|bar| (bar.x, bar.width)).collect();
        // One 588-wide band, 88.2 gaps: 411.6 shared by three series, 137.2 each.
        assert_eq!(xs, [(132.2, 137.2), (406.6, 137.2)]);
        assert_eq!(
            chart.table.rows[0].cells,
            ["4", "0", "2"],
            "negative drawn as 0"
        );
    }

    #[test]
    fn many_categories_get_thinned_labels_and_no_gaps() {
        let chart = bar_chart(spec(
            365,
            vec![Series::new("a", "s", "#111", vec![1.0; 365])],
            false,
        ));
        assert_eq!(chart.x_labels.len(), 10, "every 37th of 365 days");
        assert_eq!(chart.x_labels[1].text, "37");
        let bar = &chart.bars[0];
        assert_eq!((bar.x, bar.width), (44.0, 1.61));
        assert!(chart.legend.is_empty());
    }

    #[test]
    fn heatmap_cells_are_placed_by_week_and_weekday() {
        let calendar = StudyCalendar::new(chrono_tz::UTC, 0);
        // Today is Monday 2024-01-08; 364 days before is Monday 2023-01-09.
        let now = 1_704_715_200_000;
        let heatmap = calendar_heatmap(&[], &calendar, now);
        let chart = heatmap_chart("h", "H", "D", &heatmap);

        let first = &chart.cells[0];
        assert_eq!(
            (first.x, first.y, first.class.as_str()),
            (30.0, 16.0, "heat-0")
        );
        let last = chart.cells.last().unwrap();
        assert_eq!(
            (last.x, last.y),
            (30.0 + 52.0 * 12.0, 16.0),
            "week 52, Monday"
        );
        assert_eq!(chart.width, 30.0 + 53.0 * 12.0 + 8.0);
        assert_eq!(chart.month_labels.len(), 12);
        assert_eq!(chart.legend[1].label, "No days at this level");
    }

    #[test]
    fn heatmap_legend_says_what_each_level_stands_for() {
        let cases = [
            (0, 8, "No reviews"),
            (1, 8, "1–2 reviews a day"),
            (4, 8, "7–8 reviews a day"),
            (1, 4, "1 review a day"),
            (2, 2, "1 review a day"),
            (1, 2, "No days at this level"),
        ];
        for (level, max, expected) in cases {
            assert_eq!(
                level_meaning(level, max),
                expected,
                "level {level} of max {max}"
            );
        }
    }
}
