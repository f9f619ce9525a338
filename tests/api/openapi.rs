//! The OpenAPI document is valid OpenAPI 3 and agrees with the routes the server serves.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn spec(app: &TestApp) -> Value {
    let resp = app
        .script()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// Every `$ref` in the document, e.g. `#/components/schemas/MeResponse`.
fn refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.insert(v.as_str().unwrap().to_owned());
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_structurally_valid_openapi_3() {
    let app = TestApp::spawn().await;
    let doc = spec(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string());
    assert!(doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    let methods = ["get", "put", "post", "delete", "patch"];
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path} is outside /api/v1");
        for (method, op) in item.as_object().unwrap() {
            assert!(
                methods.contains(&method.as_str()),
                "{path}: unexpected key {method}"
            );
            assert!(
                !op["responses"].as_object().unwrap().is_empty(),
                "{method} {path} documents no response"
            );
            let id = op["operationId"].as_str().unwrap().to_owned();
            assert!(
                operation_ids.insert(id.clone()),
                "duplicate operationId {id}"
            );
            // Path parameters are declared.
            for seg in path.split('/').filter(|s| s.contains('{')) {
                let name = &seg[seg.find('{').unwrap() + 1..seg.find('}').unwrap()];
                let declared = op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
                assert!(
                    declared,
                    "{method} {path}: path parameter {name} undeclared"
                );
            }
        }
    }
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    for r in all {
        let pointer = r.strip_prefix('#').expect("local refs only");
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    for scheme in ["bearer", "session"] {
        assert!(
            doc["components"]["securitySchemes"][scheme].is_object(),
            "{scheme} scheme"
        );
    }
}

#[tokio::test]
async fn every_documented_operation_is_served_and_the_core_routes_are_documented() {
    let app = TestApp::spawn().await;
    let doc = spec(&app).await;

    // An admin with a bearer token, so that auth never hides a missing route.
    let browser = app.browser();
    app.sign_up(&browser, "admin@example.org").await;
    let csrf = app.api_session(&browser, "admin@example.org").await;
    let token: Value = browser
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "probe"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["secret"].as_str().unwrap().to_owned();

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
            // Probe with an invalid body: a served route answers with its own status,
            // never the router's `route_not_found` or 405.
            let concrete = path
                .replace("{id}", "999999")
                .replace("{deck}", "no-such-deck")
                .replace("{item}", "no-such-item")
                .replace("{table}", "reviews");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = app
                .script()
                .request(m, app.url(&concrete))
                .bearer_auth(&bearer)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let body = resp.text().await.unwrap();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !body.contains("route_not_found"),
                "{method} {path} is documented but not served"
            );
        }
    }

    let expected = [
        "POST /api/v1/session",
        "DELETE /api/v1/session",
        "GET /api/v1/me",
        "GET /api/v1/tokens",
        "POST /api/v1/tokens",
        "DELETE /api/v1/tokens/{id}",
        "GET /api/v1/openapi.json",
    ];
    for op in expected {
        assert!(documented.contains(op), "{op} is served but not documented");
    }
}
