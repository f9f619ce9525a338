//! HTTP handlers, one file per resource, HTML and JSON side by side.
//!
//! Handlers are short: they turn the request into domain values, call `accounts`/`db`, and
//! pick a response. JSON routes live under `/api/v1` and are registered through
//! `utoipa_actix_web`, so the OpenAPI document is generated from the same registration that
//! serves them and the two cannot drift apart.

pub mod accounts;
pub mod admin;
pub mod assets;
pub mod cards;
pub mod cohort_pages;
pub mod cohorts;
pub mod decks;
pub mod export;
pub mod health;
pub mod home;
pub mod openapi;
pub mod page;
pub mod prompts;
pub mod quizzes;
pub mod sessions;
pub mod settings;
pub mod stats;
pub mod study;
pub mod tokens;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig as ApiConfig;

use crate::error::AppError;

/// The largest form or JSON body any route accepts.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Registers every JSON route; called with the `/api/v1` scope.
pub fn api(cfg: &mut ApiConfig) {
    cfg.service(sessions::api_login)
        .service(sessions::api_logout)
        .service(accounts::api_register)
        .service(settings::api_me)
        .service(settings::api_change_password)
        .service(settings::api_sessions)
        .service(settings::api_revoke_other_sessions)
        .service(settings::api_delete_me)
        .service(settings::api_get_settings)
        .service(settings::api_put_settings)
        .service(settings::api_fsrs)
        .service(settings::api_optimize)
        .service(settings::api_reset_fsrs)
        .service(tokens::api_list)
        .service(tokens::api_create)
        .service(tokens::api_delete)
        .service(admin::api_users)
        .service(admin::api_set_role)
        .service(cohorts::api_create)
        .service(cohorts::api_list)
        .service(cohorts::api_join)
        .service(cohorts::api_get)
        .service(cohorts::api_update)
        .service(cohorts::api_reset_code)
        .service(cohorts::api_leave)
        .service(cohorts::api_members)
        .service(cohorts::api_remove_member)
        .service(cohorts::api_restore_member)
        .service(cohorts::api_add_instructor)
        .service(cohorts::api_remove_instructor)
        .service(cohorts::api_create_assignment)
        .service(cohorts::api_list_assignments)
        .service(cohorts::api_update_assignment)
        .service(cohorts::api_delete_assignment)
        .service(cohorts::api_extend_assignment)
        .service(cohorts::api_my_assignments)
        .service(cohorts::api_dashboard)
        .service(cohorts::api_learner)
        .service(cohorts::api_grid_csv)
        .service(cohorts::api_feedback_queue)
        .service(cohorts::api_results_csv)
        .service(decks::api_list)
        .service(decks::api_get)
        .service(decks::api_sync)
        .service(decks::api_my_decks)
        .service(decks::api_put_my_deck)
        .service(decks::api_delete_my_deck)
        .service(stats::api_stats)
        .service(stats::api_mastery)
        .service(stats::api_today)
        .service(export::export_json)
        .service(export::export_csv)
        .service(prompts::api_list)
        .service(prompts::api_prompt)
        .service(prompts::api_write)
        .service(prompts::api_grade)
        .service(prompts::api_give_feedback)
        .service(prompts::api_answer)
        .service(quizzes::api_start)
        .service(quizzes::api_attempt)
        .service(quizzes::api_current)
        .service(quizzes::api_answer)
        .service(quizzes::api_submit)
        .service(quizzes::api_results)
        .service(quizzes::api_my_attempts)
        .service(study::api_next)
        .service(study::api_answer)
        .service(study::api_undo)
        .service(cards::api_browse)
        .service(cards::api_actions)
        .service(study::api_card)
        .service(study::api_card_action)
        .service(openapi::spec);
}

/// Registers every HTML route.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.service(home::index)
        .service(health::healthz)
        .service(assets::asset)
        .service(assets::favicon)
        .service(accounts::register_page)
        .service(accounts::register_submit)
        .service(accounts::reset_page)
        .service(accounts::reset_submit)
        .service(sessions::login_page)
        .service(sessions::login_submit)
        .service(sessions::logout)
        .service(settings::settings_page)
        .service(settings::change_password)
        .service(settings::revoke_other_sessions)
        .service(settings::revoke_session)
        .service(settings::delete_account)
        .service(settings::save_study_settings)
        .service(settings::optimize_form)
        .service(settings::reset_fsrs_form)
        .service(tokens::create)
        .service(tokens::revoke)
        .service(admin::users_page)
        .service(admin::set_role)
        .service(admin::create_user)
        .service(admin::reset_link)
        .service(cohort_pages::list_page)
        .service(cohort_pages::create_form)
        .service(cohort_pages::join_form)
        .service(cohort_pages::invite_page)
        .service(cohort_pages::invite_form)
        .service(cohort_pages::cohort_page)
        .service(cohort_pages::learner_page)
        .service(cohort_pages::assignment_form)
        .service(cohort_pages::member_form)
        .service(cohort_pages::reset_code_form)
        .service(cohort_pages::leave_form)
        .service(cohort_pages::feedback_page)
        .service(cohort_pages::quiz_form)
        .service(cohort_pages::settings_form)
        .service(cohort_pages::instructor_form)
        .service(prompts::feedback_form)
        .service(decks::list_page)
        .service(decks::deck_page)
        .service(decks::admin_page)
        .service(decks::admin_sync)
        .service(decks::join_form)
        .service(decks::leave_form)
        .service(prompts::list_page)
        .service(prompts::prompt_page)
        .service(prompts::write_form)
        .service(prompts::answer_page)
        .service(prompts::grade_form)
        .service(stats::stats_page)
        .service(quizzes::quizzes_page)
        .service(quizzes::create_form)
        .service(quizzes::retake_form)
        .service(quizzes::attempt_page)
        .service(quizzes::answer_form)
        .service(quizzes::submit_form)
        .service(quizzes::results_page)
        .service(study::study_page)
        .service(study::answer_form)
        .service(study::undo_form)
        .service(cards::browse_page)
        .service(cards::actions_form)
        .service(study::card_page)
        .service(study::card_action_form);
}

/// Body and query extractor settings: size limits, and clear 4xx messages for bad input.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(BODY_LIMIT))
        .app_data(
            web::FormConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(|e, _| form_error(e).into()),
        )
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(|e, _| json_error(e).into()),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request("bad_query", format!("The query string is invalid: {e}")).into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}

fn form_error(e: actix_web::error::UrlencodedError) -> AppError {
    use actix_web::error::UrlencodedError as E;
    match e {
        E::ContentType => AppError::UnsupportedMediaType(
            "Send this form as application/x-www-form-urlencoded.".into(),
        ),
        E::Overflow { .. } | E::UnknownLength => AppError::PayloadTooLarge,
        E::Parse(_) => AppError::bad_request(
            "bad_form",
            "The form could not be read: a field is missing or is not valid UTF-8 text.",
        ),
        other => AppError::bad_request("bad_form", format!("The form could not be read: {other}")),
    }
}

fn json_error(e: actix_web::error::JsonPayloadError) -> AppError {
    use actix_web::error::JsonPayloadError as E;
    match e {
        E::ContentType => AppError::UnsupportedMediaType("Send JSON (application/json).".into()),
        E::Overflow { .. } | E::OverflowKnownLength { .. } => AppError::PayloadTooLarge,
        E::Deserialize(err) => {
            AppError::bad_request("bad_json", format!("The JSON body is invalid: {err}"))
        }
        other => AppError::bad_request("bad_json", format!("The JSON body is invalid: {other}")),
    }
}

/// The fallback for paths no route matches.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::RouteNotFound)
}

/// A time in the learner's timezone, for pages: `2026-11-29 16:05`.
pub fn local_time(ms: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
