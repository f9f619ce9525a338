//! Markdown to HTML that is safe to put in a page.
//!
//! Deck text is Markdown (CommonMark plus tables and strikethrough). Raw HTML
//! in it is never rendered: pulldown-cmark's HTML events are turned into text,
//! so `<b>` shows up literally. The result still goes through ammonia, which
//! removes anything dangerous that Markdown itself can produce (e.g.
//! `javascript:` links). Code blocks keep a `language-*` class for highlighting.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Markdown as written, and as sanitized HTML, for pages and the API alike.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Text {
    pub markdown: String,
    pub html: String,
}

impl Text {
    pub fn of(md: &str) -> Text {
        Text {
            markdown: md.to_owned(),
            html: render(md),
        }
    }
}

/// Rendered HTML by its Markdown. Deck text changes only at sync, and a changed text is a new
/// key, so entries never go stale; the cache starts over past [`RENDERED_CAPACITY`].
static RENDERED: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Default::default);
const RENDERED_CAPACITY: usize = 50_000;

/// Renders Markdown to sanitized HTML, once per distinct text.
pub fn render(md: &str) -> String {
    let rendered = || RENDERED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(html) = rendered().get(md).cloned() {
        return html;
    }
    let html = render_uncached(md);
    let mut map = rendered();
    if map.len() >= RENDERED_CAPACITY {
        map.clear();
    }
    map.insert(md.to_owned(), html.clone());
    html
}

/// Renders a short deck field (a choice, a rubric point, an answer) for use inside a sentence or
/// a label: sanitized HTML without the paragraph around a single line.
pub fn render_inline(md: &str) -> String {
    let html = render(md);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

fn render_uncached(md: &str) -> String {
    let events = Parser::new_ext(md, options()).map(|event| match event {
        // An HTML block becomes a paragraph of literal text.
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Whether the Markdown contains raw HTML (which [`render`] shows as text).
pub fn contains_raw_html(md: &str) -> bool {
    Parser::new_ext(md, options()).any(|event| {
        matches!(
            event,
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock)
        )
    })
}

/// Built once: building ammonia's rules costs more than cleaning a card.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(sanitizer);

fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tag_attributes("code", &["class"])
        .attribute_filter(|element, attribute, value| {
            if element == "code" && attribute == "class" {
                is_language_class(value).then(|| Cow::Owned(value.to_owned()))
            } else {
                Some(Cow::Owned(value.to_owned()))
            }
        });
    builder
}

/// `language-rust`, `language-c++`: what pulldown-cmark writes for a fenced block's info string.
fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_+#.".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_ordinary_markdown() {
        assert_eq!(
            render("Some **bold** and `code`."),
            "<p>Some <strong>bold</strong> and <code>code</code>.</p>\n"
        );
    }

    #[test]
    fn keeps_code_blocks_with_their_language() {
        let html = render("```go\ngo work()\n```\n");
        assert_eq!(
            html,
            "<pre><code class=\"language-go\">go work()\n</code></pre>\n"
        );
    }

    #[test]
    fn script_tags_are_shown_as_text() {
        let html = render("<script>alert(1)</script>");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn inline_html_with_handlers_is_inert() {
        let html = render("look <img src=x onerror=alert(1)> here");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn javascript_links_lose_their_target() {
        let html = render("[x](javascript:alert(1))");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(">x</a>"), "{html}");
    }

    #[test]
    fn markdown_images_cannot_run_script() {
        let html = render("![x](javascript:alert(1) \"t\")");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn links_open_safely() {
        let html = render("[docs](https://go.dev/doc/)");
        assert!(html.contains("href=\"https://go.dev/doc/\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn odd_code_classes_are_dropped() {
        let html = render("```x\" onclick=\"y\nz\n```\n");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn detects_raw_html_but_not_code_or_autolinks() {
        assert!(contains_raw_html("a <b>b</b>"));
        assert!(contains_raw_html("<div>\nx\n</div>"));
        assert!(!contains_raw_html("`<b>` in code"));
        assert!(!contains_raw_html("see <https://nodejs.org>"));
        assert!(!contains_raw_html("1 < 2 and 3 > 2"));
    }
}
