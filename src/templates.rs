//! Tera templates, compiled into the binary and loaded once at start-up.
//!
//! Autoescaping is on for every template. Pages are rendered only through [`Templates`].

use anyhow::Context as _;
use tera::{Context, Tera};

/// Every template, embedded so the binary runs from any working directory.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("charts.html", include_str!("../templates/charts.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("register.html", include_str!("../templates/register.html")),
    ("reset.html", include_str!("../templates/reset.html")),
    ("settings.html", include_str!("../templates/settings.html")),
    (
        "admin_users.html",
        include_str!("../templates/admin_users.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    ("decks.html", include_str!("../templates/decks.html")),
    ("deck.html", include_str!("../templates/deck.html")),
    (
        "admin_decks.html",
        include_str!("../templates/admin_decks.html"),
    ),
    ("study.html", include_str!("../templates/study.html")),
    ("card.html", include_str!("../templates/card.html")),
    ("quizzes.html", include_str!("../templates/quizzes.html")),
    ("attempt.html", include_str!("../templates/attempt.html")),
    ("results.html", include_str!("../templates/results.html")),
    ("prompt.html", include_str!("../templates/prompt.html")),
    ("stats.html", include_str!("../templates/stats.html")),
    (
        "prompt_answer.html",
        include_str!("../templates/prompt_answer.html"),
    ),
    ("cohorts.html", include_str!("../templates/cohorts.html")),
    ("prompts.html", include_str!("../templates/prompts.html")),
    ("cards.html", include_str!("../templates/cards.html")),
    ("cohort.html", include_str!("../templates/cohort.html")),
    (
        "cohort_learner.html",
        include_str!("../templates/cohort_learner.html"),
    ),
    (
        "cohort_drilldown.html",
        include_str!("../templates/cohort_drilldown.html"),
    ),
    ("join.html", include_str!("../templates/join.html")),
    ("feedback.html", include_str!("../templates/feedback.html")),
    (
        "my_assignments.html",
        include_str!("../templates/my_assignments.html"),
    ),
];

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".html.tera"]);
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .context("Failed to parse templates")?;
        tera.register_filter("datetime", datetime_filter);
        tera.register_filter("markdown", markdown_filter);
        tera.register_filter("markdown_inline", markdown_inline_filter);
        Ok(Templates { tera })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> anyhow::Result<String> {
        self.tera.render(name, ctx).map_err(|e| {
            // Tera keeps the useful part (which variable, which line) in the error's sources.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(": ");
                why.push_str(&s.to_string());
                source = s.source();
            }
            anyhow::anyhow!("Failed to render {name}: {why}")
        })
    }
}

/// Renders Markdown to sanitized HTML (the output is safe to mark `| safe`).
fn markdown_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let md = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("markdown expects a string"))?;
    Ok(tera::Value::String(crate::markdown::render(md)))
}

/// Renders a short Markdown field inline (sanitized; no paragraph around one line).
fn markdown_inline_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let md = value
        .as_str()
        .ok_or_else(|| tera::Error::msg("markdown_inline expects a string"))?;
    Ok(tera::Value::String(crate::markdown::render_inline(md)))
}

/// Formats Unix milliseconds as `YYYY-MM-DD HH:MM UTC`, or with `tz="Area/City"` in that
/// timezone (`YYYY-MM-DD HH:MM EDT`); `date=true` gives the day alone (`YYYY-MM-DD`).
fn datetime_filter(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let ms = value
        .as_i64()
        .ok_or_else(|| tera::Error::msg("datetime expects Unix milliseconds"))?;
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
        return Ok(tera::Value::String(String::new()));
    };
    let date_only = args.get("date").and_then(|v| v.as_bool()).unwrap_or(false);
    let tz: Option<chrono_tz::Tz> = args
        .get("tz")
        .and_then(|v| v.as_str())
        .and_then(|name| name.parse().ok());
    let text = match (tz, date_only) {
        (Some(tz), true) => t.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        (Some(tz), false) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        (None, true) => t.format("%Y-%m-%d").to_string(),
        (None, false) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    Ok(tera::Value::String(text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        super::Templates::load().expect("templates parse");
    }
}
