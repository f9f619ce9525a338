//! The card browser: `/cards` and `GET /api/v1/cards` list the learner's cards, and
//! `POST /cards/actions` and `POST /api/v1/cards/actions` suspend, unsuspend, bury, unbury or
//! reset many at once.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::page::{redirect_with_flash, Page};
use crate::auth::identity::Identity;
use crate::db::study::CardAction;
use crate::domain::browse::{Filter, Sort, StateFilter, DEFAULT_PER_PAGE, MAX_PER_PAGE};
use crate::error::{AppError, ErrorBody};
use crate::service::cards::{self, Acted, Browsed};
use crate::state::AppState;

/// The browser's query; every field may be empty (as a filter form sends it) or left out.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct BrowseQuery {
    /// A deck id.
    deck: Option<String>,
    /// A topic id (of the deck, when one is given).
    topic: Option<String>,
    /// new, learning (with relearning), review, suspended, leech or buried.
    state: Option<String>,
    /// Words that must all appear in the card (front, back, topic or id), in any case.
    q: Option<String>,
    /// order (deck order, the default), due, interval, stability, difficulty, recall or lapses.
    sort: Option<String>,
    /// From 1.
    page: Option<String>,
    /// 1 to 200; 50 when left out.
    per_page: Option<String>,
}

/// The query, checked: what to list, in which order, which page of how many.
struct Asked {
    filter: Filter,
    sort: Sort,
    page: usize,
    per_page: usize,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl TryFrom<&BrowseQuery> for Asked {
    type Error = AppError;

    fn try_from(q: &BrowseQuery) -> Result<Asked, AppError> {
        let state = match given(&q.state) {
            Some(s) => Some(StateFilter::parse(&s).ok_or_else(|| {
                AppError::bad_request(
                    "bad_state",
                    "State must be one of new, learning, review, suspended, leech or buried.",
                )
            })?),
            None => None,
        };
        let sort = match given(&q.sort) {
            Some(s) => Sort::parse(&s).ok_or_else(|| {
                AppError::bad_request(
                    "bad_sort",
                    "Sort must be one of order, due, interval, stability, difficulty, recall or lapses.",
                )
            })?,
            None => Sort::default(),
        };
        let number = |v: &Option<String>, default: usize, max: usize, message: &str| match given(v)
        {
            None => Ok(default),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| AppError::bad_request("bad_page", message.to_owned())),
        };
        Ok(Asked {
            filter: Filter {
                deck: given(&q.deck),
                topic: given(&q.topic),
                state,
                text: given(&q.q),
            },
            sort,
            page: number(&q.page, 1, 1_000_000, "Page must be a whole number from 1.")?,
            per_page: number(
                &q.per_page,
                DEFAULT_PER_PAGE,
                MAX_PER_PAGE,
                "Cards per page must be a whole number from 1 to 200.",
            )?,
        })
    }
}

async fn browse(state: &AppState, who: &Identity, q: &BrowseQuery) -> Result<Browsed, AppError> {
    let asked = Asked::try_from(q)?;
    cards::browse(
        state,
        who.user.id,
        &asked.filter,
        asked.sort,
        asked.page,
        asked.per_page,
    )
    .await
}

/// The caller's cards: those of the study set's decks and of any deck they have studied, or
/// of the one deck asked for; filtered, sorted and one page at a time.
#[utoipa::path(
    tag = "study",
    operation_id = "browse_cards",
    params(BrowseQuery),
    responses(
        (status = 200, description = "One page of the matching cards", body = Browsed),
        (status = 400, description = "An unknown state or sort, or a bad page number", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such deck", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/cards")]
pub async fn api_browse(
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<BrowseQuery>,
) -> Result<web::Json<Browsed>, AppError> {
    Ok(web::Json(browse(&state, &who, &q).await?))
}

/// Many cards and one action for them all.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionsRequest {
    /// `deck-id/item-id` of each card; 1 to 1000.
    cards: Vec<String>,
    action: CardAction,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ActionsResponse {
    /// Each card with its new version, in the order given (a card listed twice, once).
    cards: Vec<Acted>,
}

/// Suspend, unsuspend, bury, unbury or reset many cards at once: all of them or, on an error,
/// none.
#[utoipa::path(
    tag = "study",
    operation_id = "card_actions",
    request_body = ActionsRequest,
    responses(
        (status = 200, description = "Done", body = ActionsResponse),
        (status = 400, description = "No cards, too many, an unknown card or action", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/cards/actions")]
pub async fn api_actions(
    state: web::Data<AppState>,
    who: Identity,
    body: web::Json<ActionsRequest>,
) -> Result<web::Json<ActionsResponse>, AppError> {
    let cards = cards::act_on_many(&state, who.user.id, &body.cards, body.action).await?;
    Ok(web::Json(ActionsResponse { cards }))
}

#[get("/cards")]
pub async fn browse_page(
    page: Page,
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<BrowseQuery>,
) -> Result<HttpResponse, AppError> {
    let asked = Asked::try_from(&*q)?;
    let found = browse(&state, &who, &q).await?;
    let decks = crate::db::decks::live(&state.db).await?;
    let tz = crate::service::study::timezone(&state, who.user.id).await?;
    let rows: Vec<serde_json::Value> = found
        .cards
        .iter()
        .map(|c| {
            serde_json::json!({
                "card": c,
                "deck_title": decks.iter().find(|d| d.id == c.deck)
                    .map_or(c.deck.as_str(), |d| d.title.as_str()),
                "due_local": c.due_at.map(|t| super::local_time(t, tz)),
                "recall_pct": c.recall.map(|r| format!("{:.0}", r * 100.0)),
                "stability": c.stability.map(|s| format!("{s:.1}")),
                "difficulty": c.difficulty.map(|d| format!("{d:.1}")),
            })
        })
        .collect();
    // The topics to choose from: the chosen deck's, else none (a topic id means little
    // without its deck).
    let topics: Vec<(String, String)> = asked
        .filter
        .deck
        .as_ref()
        .and_then(|d| decks.iter().find(|x| &x.id == d))
        .map(|d| {
            d.topics
                .iter()
                .map(|t| (t.id.clone(), t.title.clone()))
                .collect()
        })
        .unwrap_or_default();
    let here = query_string(&asked, None);
    page.me(&who)
        .with("found", &found)
        .with("rows", &rows)
        .with(
            "decks",
            &decks
                .iter()
                .map(|d| (d.id.clone(), d.title.clone()))
                .collect::<Vec<_>>(),
        )
        .with("topics", &topics)
        .with("states", &StateFilter::ALL.map(StateFilter::name))
        .with("sorts", &Sort::ALL.map(Sort::name))
        .with("deck", &asked.filter.deck)
        .with("topic", &asked.filter.topic)
        .with("state", &asked.filter.state.map(StateFilter::name))
        .with("q", &asked.filter.text)
        .with("sort", &asked.sort.name())
        .with("here", &here)
        .with(
            "previous",
            &(asked.page > 1).then(|| query_string(&asked, Some(asked.page - 1))),
        )
        .with(
            "next",
            &(asked.page < found.pages).then(|| query_string(&asked, Some(asked.page + 1))),
        )
        .render("cards.html")
}

/// `/cards?…` for the same filters, at `page` (the current one when none).
fn query_string(asked: &Asked, page: Option<usize>) -> String {
    let f = &asked.filter;
    let page = page.unwrap_or(asked.page).to_string();
    let per_page = asked.per_page.to_string();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (key, value) in [
        ("deck", f.deck.as_deref()),
        ("topic", f.topic.as_deref()),
        ("state", f.state.map(StateFilter::name)),
        ("q", f.text.as_deref()),
    ] {
        if let Some(v) = value {
            pairs.push((key, v));
        }
    }
    if asked.sort != Sort::default() {
        pairs.push(("sort", asked.sort.name()));
    }
    if page != "1" {
        pairs.push(("page", &page));
    }
    if asked.per_page != DEFAULT_PER_PAGE {
        pairs.push(("per_page", &per_page));
    }
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if q.is_empty() {
        "/cards".into()
    } else {
        format!("/cards?{q}")
    }
}

/// The bulk form: the ticked cards, the action, and the list to return to.
struct ActionsForm {
    cards: Vec<String>,
    action: CardAction,
    back: String,
}

impl TryFrom<Vec<(String, String)>> for ActionsForm {
    type Error = AppError;

    fn try_from(pairs: Vec<(String, String)>) -> Result<ActionsForm, AppError> {
        let mut cards = Vec::new();
        let mut action = None;
        let mut back = "/cards".to_owned();
        for (key, value) in pairs {
            match key.as_str() {
                "cards" => cards.push(value),
                "action" => {
                    action = Some(CardAction::parse(&value).ok_or_else(|| {
                        AppError::bad_request(
                            "bad_action",
                            "Choose an action: suspend, unsuspend, bury, unbury or reset.",
                        )
                    })?)
                }
                // Only a path of this browser, so the redirect cannot leave the site, and
                // nothing a header cannot carry.
                "back"
                    if (value == "/cards" || value.starts_with("/cards?"))
                        && !value.chars().any(|c| c.is_control()) =>
                {
                    back = value
                }
                _ => {}
            }
        }
        let action = action.ok_or_else(|| {
            AppError::bad_request(
                "bad_action",
                "Choose an action: suspend, unsuspend, bury, unbury or reset.",
            )
        })?;
        Ok(ActionsForm {
            cards,
            action,
            back,
        })
    }
}

#[post("/cards/actions")]
pub async fn actions_form(
    state: web::Data<AppState>,
    who: Identity,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = ActionsForm::try_from(form.into_inner())?;
    if form.cards.is_empty() {
        return Ok(redirect_with_flash(
            &state,
            &form.back,
            "error",
            "Tick at least one card first.",
        ));
    }
    let done = cards::act_on_many(&state, who.user.id, &form.cards, form.action).await?;
    let n = done.len();
    let cards = if n == 1 { "card" } else { "cards" };
    let message = match form.action {
        CardAction::Suspend => format!("{n} {cards} suspended."),
        CardAction::Unsuspend => format!("{n} {cards} unsuspended."),
        CardAction::Bury => format!("{n} {cards} buried until tomorrow."),
        CardAction::Unbury => format!("{n} {cards} unburied."),
        CardAction::Reset => format!("{n} {cards} reset to new. Their history is kept."),
    };
    Ok(redirect_with_flash(&state, &form.back, "success", &message))
}
