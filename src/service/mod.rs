//! The service layer: operations shared by the pages, the JSON API and the CLI. Each loads
//! what the pure domain needs, asks it, and writes through `db`; HTTP stays in `routes`.

pub mod accounts;
pub mod cards;
pub mod optimize;
pub mod progress;
pub mod quiz;
pub mod study;
pub mod today;
