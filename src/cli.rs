//! The command line: `serve` (default), `user add`, `user reset-password`, `backup`.
//!
//! `main.rs` parses; the commands run here so they share the server's code paths.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use crate::accounts::{self, SignUp};
use crate::config::Settings;
use crate::db;
use crate::domain::account::{Email, Role};
use crate::error::AppError;
use crate::startup::{open_state, Application};

#[derive(Debug, Parser)]
#[command(name = "tradeoff", version, about = "Interview-prep study server")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the live database to PATH (safe while the server runs).
    Backup { path: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from the terminal, or from stdin's first line.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value = "learner")]
        role: RoleArg,
    },
    /// Print a one-time password reset link, valid for one hour.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Learner,
    Instructor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Learner => Role::Learner,
            RoleArg::Instructor => Role::Instructor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(cli.settings.clone()).await?;
            tracing::info!(
                "tradeoff listening on http://{}:{}",
                cli.settings
                    .bind
                    .rsplit_once(':')
                    .map_or("127.0.0.1", |(h, _)| h),
                app.port()
            );
            app.run_until_stopped().await?;
        }
        Command::User { command } => user(cli.settings, command).await?,
        Command::Backup { path } => {
            if path.exists() {
                bail!("{} already exists; choose a new file", path.display());
            }
            let state = open_state(cli.settings).await?;
            state.db.backup_to(&path).await?;
            println!("Backup written to {}", path.display());
        }
    }
    Ok(())
}

async fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let state = open_state(settings).await?;
    match command {
        UserCommand::Add { email, role } => {
            let password = read_password()?;
            let user = accounts::register(
                &state,
                SignUp {
                    email,
                    password,
                    timezone: String::new(),
                },
                Some(role.into()),
            )
            .await
            .map_err(explain)?;
            println!("Created {} ({}).", user.email, user.role.as_str());
        }
        UserCommand::ResetPassword { email } => {
            let email = Email::parse(&email).map_err(anyhow::Error::msg)?;
            let user = db::users::find_by_email(&state.db, &email)
                .await?
                .with_context(|| format!("No account has the email {email}"))?;
            let link = accounts::reset_link(&state, user.id)
                .await
                .map_err(explain)?;
            println!("{link}");
            eprintln!("This link works once, for one hour.");
        }
    }
    Ok(())
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(e) => e,
        other => anyhow::anyhow!(other.public_message()),
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            bail!("The passwords do not match");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("Failed to read the password from stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
