//! The OpenAPI 3 document, generated from the route registrations in [`super::api`].

use actix_web::{get, web, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};

/// The document's fixed parts; the paths are collected from the registrations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tradeoff",
        description = "Interview-prep study server. Authenticate with a session cookie (browser \
                       scripts also send `X-CSRF-Token` on writes) or `Authorization: Bearer <token>`.\n\n\
                       Errors are `{\"error\": {\"code\", \"message\"}}`. Times are Unix milliseconds."
    ),
    modifiers(&Security)
)]
pub struct BaseDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::SESSION_COOKIE,
            ))),
        );
    }
}

/// The serialized document, computed once at start-up.
pub struct Spec(pub String);

/// This document.
#[utoipa::path(tag = "meta", responses((status = 200, description = "The OpenAPI 3 document")))]
#[get("/openapi.json")]
pub async fn spec(doc: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
