//! Settings: defaults < environment variables < command-line flags.
//!
//! Every setting is a clap argument with an `env` fallback, so the precedence is clap's and
//! lives in one place. Nothing here opens files or sockets; `startup` does that.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// Who may create accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Registration {
    /// Anyone who reaches the server may sign up.
    Open,
    /// Only admins create accounts.
    Closed,
}

/// The server's settings, shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(
        long,
        env = "TRADEOFF_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Data folder: the default database and the generated secret key live here.
    #[arg(
        long,
        env = "TRADEOFF_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database URL; defaults to `sqlite://<data dir>/tradeoff.db`, created on first run.
    #[arg(long, env = "TRADEOFF_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Decks folder.
    #[arg(long, env = "TRADEOFF_DECKS", default_value = "./decks", global = true)]
    pub decks: PathBuf,

    /// Mark cookies `Secure` (set this when serving over HTTPS).
    #[arg(
        long,
        env = "TRADEOFF_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,

    /// `open` or `closed`: when closed, only admins create accounts.
    #[arg(
        long,
        env = "TRADEOFF_REGISTRATION",
        value_enum,
        default_value = "open",
        global = true
    )]
    pub registration: Registration,

    /// Trust `X-Forwarded-For` when the peer is this address (a reverse proxy).
    #[arg(long, env = "TRADEOFF_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<IpAddr>,

    /// `full` (default) or `normal`: how hard SQLite syncs each commit. `full` survives a
    /// power cut; `normal` survives a crash of the process but may lose the last acknowledged
    /// commits on power loss.
    #[arg(
        long,
        env = "TRADEOFF_SYNCHRONOUS",
        value_enum,
        default_value = "full",
        global = true
    )]
    pub synchronous: crate::db::Synchronous,

    /// Base URL used in links the server prints (password reset); defaults to `http://<bind>`.
    #[arg(long, env = "TRADEOFF_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

impl Settings {
    /// Settings with every default, rooted at `data_dir`; used by tests and embedders.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            data_dir: data_dir.into(),
            database_url: None,
            decks: PathBuf::from("./decks"),
            secure_cookies: false,
            registration: Registration::Open,
            trusted_proxy: None,
            synchronous: crate::db::Synchronous::Full,
            public_url: None,
        }
    }

    /// The database URL to open, derived from the data folder unless set explicitly.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("tradeoff.db").display()),
        }
    }

    /// The base URL for links shown to people, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }
}
