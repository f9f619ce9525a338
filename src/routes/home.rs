//! The home page.

use actix_web::{get, HttpResponse};

use super::page::Page;
use crate::auth::MaybeIdentity;
use crate::error::AppError;

#[get("/")]
pub async fn index(page: Page, who: MaybeIdentity) -> Result<HttpResponse, AppError> {
    match &who.0 {
        Some(who) => page.me(who).render("home.html"),
        None => page.render("home.html"),
    }
}
