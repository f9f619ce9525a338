//! Renders every macro of `templates/charts.html` through Tera, as the app does (autoescaping
//! on), with sample charts from this module, and checks the marks, the accessible names and
//! the data tables are there.

use serde::Serialize;
use tera::{Context, Tera};

use super::chart::{bar_chart, BarChartSpec, Category, Series, ValueFormat};
use super::test_support::{local_ms, review};
use super::{
    calendar_heatmap, histogram_chart, quiz_trend, quiz_trend_chart, review_heatmap_chart,
    reviews_by_rating, reviews_by_rating_chart, Bin, Histogram, HistogramKind, QuizResult, Rating,
    StudyCalendar, Window,
};

const PAGE: &str = r#"{% import "charts.html" as charts %}
{%- if bar %}{{ charts::bar_chart(chart=bar) }}{% endif %}
{%- if histogram %}{{ charts::histogram(chart=histogram, open=true) }}{% endif %}
{%- if heatmap %}{{ charts::heatmap(chart=heatmap) }}{% endif %}
{%- if table %}{{ charts::data_table(table=table) }}{% endif %}"#;

fn render(name: &str, value: &impl Serialize) -> String {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates(vec![
        (
            "charts.html",
            include_str!("../../../templates/charts.html"),
        ),
        ("page.html", PAGE),
    ])
    .expect("templates parse");
    let mut context = Context::new();
    for slot in ["bar", "histogram", "heatmap", "table"] {
        context.insert(slot, &false);
    }
    context.insert(name, value);
    tera.render("page.html", &context).expect("page renders")
}

fn calendar() -> StudyCalendar {
    StudyCalendar::new(chrono_tz::Europe::Paris, 4)
}

fn assert_accessible_svg(html: &str, id: &str, title: &str) {
    assert!(html.contains("role=\"img\""), "svg has role img");
    assert!(
        html.contains("viewBox=\"0 0 "),
        "svg scales with its viewBox"
    );
    assert!(
        html.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")),
        "svg is labelled by its title and desc"
    );
    assert!(
        html.contains(&format!("<title id=\"{id}-title\">{title}</title>")),
        "title {title:?} in {html}"
    );
    assert!(html.contains(&format!("<desc id=\"{id}-desc\">")), "desc");
    assert!(!html.contains("style="), "no inline styles (CSP)");
}

#[test]
fn bar_chart_macro_draws_stacked_bars_and_their_table() {
    let at = |local| local_ms(chrono_tz::Europe::Paris, local);
    let reviews = vec![
        review("a", Rating::Again, at("2024-05-07 09:00"), 2),
        review("b", Rating::Good, at("2024-05-07 09:05"), 2),
        review("c", Rating::Good, at("2024-05-05 09:05"), 2),
    ];
    let days = reviews_by_rating(&reviews, &calendar(), at("2024-05-07 20:00"), Window::Week);
    let chart = reviews_by_rating_chart(&days, Window::Week);

    let html = render("bar", &chart);

    assert_accessible_svg(
        &html,
        "reviews-by-rating",
        "Reviews per day, the last 7 days",
    );
    assert_eq!(
        html.matches("<rect class=\"bar ").count(),
        3,
        "one mark per non-zero value"
    );
    assert!(html.contains("<rect class=\"bar series-again\""));
    assert!(html.contains("<title>2024-05-07 · Good: 1</title>"));
    assert!(html.contains("<caption>Reviews per day, the last 7 days</caption>"));
    assert!(html.contains("<th scope=\"col\">Again</th>"));
    assert!(html.contains("<tr><th scope=\"row\">2024-05-07</th><td>1</td><td>0</td><td>1</td><td>0</td><td>2</td></tr>"));
    assert_eq!(
        html.matches("<tr><th scope=\"row\">").count(),
        7,
        "a row per day"
    );
    assert!(
        html.contains("class=\"chart-legend\""),
        "several series get a legend"
    );
}

#[test]
fn histogram_macro_draws_one_bar_per_non_empty_bin_and_shows_the_table() {
    let histogram = Histogram {
        bins: vec![
            Bin {
                label: "0 d",
                count: 4,
            },
            Bin {
                label: "1 d",
                count: 0,
            },
            Bin {
                label: "7–13 d",
                count: 2,
            },
        ],
        counted: 6,
        missing: 0,
    };
    let html = render(
        "histogram",
        &histogram_chart(HistogramKind::Interval, &histogram),
    );

    assert_accessible_svg(&html, "interval-histogram", "Card intervals");
    assert_eq!(html.matches("<rect class=\"bar series-cards\"").count(), 2);
    assert!(
        html.contains("<details class=\"chart-data\" open>"),
        "open=true unfolds it"
    );
    assert!(html.contains("<tr><th scope=\"row\">7–13 d</th><td>2</td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">1 d</th><td>0</td></tr>"));
    assert!(!html.contains("chart-legend"), "one series needs no legend");
}

#[test]
fn heatmap_macro_draws_a_cell_per_day_and_a_month_table() {
    let at = |local| local_ms(chrono_tz::Europe::Paris, local);
    let reviews = vec![
        review("a", Rating::Good, at("2024-07-10 09:00"), 2),
        review("b", Rating::Good, at("2024-07-10 10:00"), 2),
        review("a", Rating::Good, at("2024-07-01 10:00"), 2),
    ];
    let heatmap = calendar_heatmap(&reviews, &calendar(), at("2024-07-10 20:00"));
    let html = render("heatmap", &review_heatmap_chart(&heatmap));

    assert_accessible_svg(
        &html,
        "review-heatmap",
        "Reviews per day over the last year",
    );
    assert_eq!(
        html.matches("<rect class=\"heat ").count(),
        365 + 5,
        "a cell per day plus five legend swatches"
    );
    assert!(html.contains("<title>2024-07-10: 2 reviews</title>"));
    assert!(html.contains("<title>2024-07-01: 1 review</title>"));
    assert!(html.contains("<rect class=\"heat heat-4\""));
    assert!(html.contains("<tr><th scope=\"row\">July 2024</th><td>3</td><td>2</td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">July 2023</th>"));
    assert!(
        html.contains(">Jul</text>"),
        "month label above the column of 1 July"
    );
}

#[test]
fn bar_chart_macro_draws_the_overlay_line() {
    let results = [
        QuizResult {
            closed_at: 0,
            score: 0.5,
        },
        QuizResult {
            closed_at: 86_400_000,
            score: 1.0,
        },
    ];
    let trend = quiz_trend(&results, &calendar(), 5);
    let html = render("bar", &quiz_trend_chart(&trend));

    assert_accessible_svg(&html, "quiz-trend", "Quiz scores");
    assert!(html.contains("<polyline class=\"line series-average\""));
    assert_eq!(html.matches("<circle class=\"dot").count(), 2);
    assert!(
        html.contains("<td>100%</td><td>75%</td>"),
        "score and average in the table"
    );
}

#[test]
fn text_is_escaped_and_data_table_macro_stands_alone() {
    let chart = bar_chart(BarChartSpec {
        id: "x".to_owned(),
        title: "<script>alert(1)</script>".to_owned(),
        desc: "a & b".to_owned(),
        category_name: "Topic".to_owned(),
        categories: vec![Category::named("<b>loop</b>")],
        series: vec![Series::new("Cards", "series-cards", "#000", vec![1.0])],
        stacked: false,
        format: ValueFormat::Count,
        line: None,
    });

    let html = render("bar", &chart);
    assert!(
        !html.contains("<script>") && !html.contains("<b>"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;") && html.contains("a &amp; b"));

    let table = render("table", &chart.table);
    assert!(
        table.starts_with("<details class=\"chart-data\">"),
        "{table}"
    );
    assert!(table.contains("<th scope=\"row\">&lt;b&gt;loop&lt;&#x2F;b&gt;</th><td>1</td>"));
}
