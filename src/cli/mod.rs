//! The command line: `serve` (default), `check`, `decks sync`, `user add`,
//! `user reset-password`, `backup`.
//!
//! `main.rs` parses; the commands run here so they share the server's code paths.

pub mod schedule;
pub mod simulate;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use std::process::ExitCode;

use crate::config::Settings;
use crate::db;
use crate::decks::{check_path, CheckReport};
use crate::domain::account::{Email, Role};
use crate::error::AppError;
use crate::service::accounts::{self, Creator, SignUp};
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
    /// Validate a deck file or a folder of decks (default: the decks folder); exits 1 on errors.
    Check {
        path: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replay a review history (JSON from FILE or stdin) and show the schedule it gives.
    Schedule {
        /// The history; `-` or nothing reads stdin.
        file: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Fuzz the intervals with this seed (default: no fuzz).
        #[arg(long, conflicts_with = "card")]
        fuzz_seed: Option<u64>,
        /// Fuzz exactly as the server does for this card (`deck/item`).
        #[arg(long)]
        card: Option<String>,
        /// Show the four buttons' outcomes at this time (default: when the card is due).
        #[arg(long)]
        at: Option<String>,
    },
    /// Load a learner with a simulated study history of a deck, written through the server's
    /// scheduler and backdated (for demos, tests and benchmarks).
    Simulate {
        #[arg(long)]
        email: String,
        #[arg(long)]
        deck: String,
        /// At most this many of the deck's cards.
        #[arg(long, default_value_t = 300)]
        cards: usize,
        /// Days of history, ending now.
        #[arg(long, default_value_t = 120)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Build a demo cohort: an instructor, learners with simulated study histories, and
    /// assignments, to see the instructor side in a minute. Prints the logins.
    Demo {
        /// How many learners.
        #[arg(long, default_value_t = 30)]
        learners: usize,
        /// Days of history, ending now.
        #[arg(long, default_value_t = 90)]
        days: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Every demo account's password (printed at the end).
        #[arg(long, default_value = "demo-password")]
        password: String,
        /// Build it even though the database already has accounts.
        #[arg(long)]
        force: bool,
    },
    /// Fit a learner's personal FSRS parameters now.
    Optimize {
        #[arg(long)]
        email: String,
    },
    /// Manage the deck catalogue.
    Decks {
        #[command(subcommand)]
        command: DecksCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DecksCommand {
    /// Sync the decks folder into the database (as the server does at start-up).
    Sync,
    /// Print every item of a deck with its answer key, as learners will see it.
    Show {
        /// A deck file.
        path: PathBuf,
        /// Include the items generated from facts (which-one cards, true/false, choice).
        #[arg(long)]
        generated: bool,
        /// Print the items as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print a synthetic deck with numbered cards (for load tests).
    Synthetic {
        #[arg(long, default_value = "synthetic")]
        id: String,
        #[arg(long, default_value_t = 1000)]
        cards: usize,
        #[arg(long, default_value_t = 4)]
        topics: usize,
    },
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

/// Runs the parsed command line; the exit code is 1 when `check` finds errors.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
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
        Command::Check { path, json } => {
            let path = path.unwrap_or(cli.settings.decks);
            let report = tokio::task::spawn_blocking(move || check_path(&path)).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report);
            }
            return Ok(if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            });
        }
        Command::Schedule {
            file,
            json,
            fuzz_seed,
            card,
            at,
        } => {
            use crate::cli::schedule::{compute, read_input, table, Fuzz};
            let fuzz = match (fuzz_seed, card) {
                (Some(n), _) => Fuzz::Seed(n),
                (None, Some(c)) => Fuzz::Card(c),
                (None, None) => Fuzz::Off,
            };
            let out = compute(&read_input(file.as_deref())?, &fuzz, at.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!("{}", table(&out));
            }
        }
        Command::Decks {
            command:
                DecksCommand::Show {
                    path,
                    generated,
                    json,
                },
        } => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("Could not read {}", path.display()))?;
            let shown = path.display().to_string();
            let deck = match crate::domain::deck::load_deck(&bytes) {
                Ok(loaded) => loaded.deck,
                Err(diagnostics) => {
                    for d in &diagnostics {
                        eprintln!("{}", d.display(&shown));
                    }
                    eprintln!("{shown}: the deck has errors; fix them with `tradeoff check`");
                    return Ok(ExitCode::FAILURE);
                }
            };
            if json {
                let items = crate::decks::show::items(&deck, generated);
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                print!("{}", crate::decks::show::render(&deck, generated));
            }
        }
        Command::Decks {
            command: DecksCommand::Synthetic { id, cards, topics },
        } => {
            print!(
                "{}",
                crate::cli::simulate::synthetic_deck(&id, cards, topics)
            );
        }
        Command::Simulate {
            email,
            deck,
            cards,
            days,
            seed,
        } => {
            let state = open_state(cli.settings).await?;
            let user = find_user(&state, &email).await?;
            if db::decks::find_live(&state.db, &deck).await?.is_none() {
                bail!(
                    "There is no deck `{deck}` in this database. Decks are loaded when the \
                     server starts or by `tradeoff decks sync`; run one of them first."
                );
            }
            let loaded = crate::cli::simulate::load(&state, user.id, &deck, cards, days, seed)
                .await
                .map_err(explain)?;
            println!(
                "Loaded {} reviews of {} cards for {}.",
                loaded.reviews, loaded.cards, user.email
            );
        }
        Command::Demo {
            learners,
            days,
            seed,
            password,
            force,
        } => {
            let folder = cli.settings.decks.clone();
            let state = open_state(cli.settings).await?;
            if !force && !db::users::list(&state.db).await?.is_empty() {
                bail!(
                    "This database already has accounts; the demo prints a shared password, so \
                     it only runs on an empty one. Use --force to add it anyway."
                );
            }
            crate::decks::sync(&state.db, &folder, state.clock.now()).await?;
            let options = crate::demo::DemoOptions {
                learners,
                days,
                seed,
                password: password.clone(),
            };
            let built = crate::demo::build(&state, &options).await?;
            println!(
                "Built the demo: {} learners, {} reviews in {:.1} s ({:.0} reviews/s).",
                built.learners.len(),
                built.reviews,
                built.seconds,
                built.reviews as f64 / built.seconds.max(1e-9)
            );
            println!(
                "Sign in as the instructor: {} / {password}",
                crate::demo::INSTRUCTOR
            );
            if let (Some(first), Some(last)) = (built.learners.first(), built.learners.last()) {
                println!("or as a learner: {first} … {last} / {password}");
            }
            println!(
                "Then open /cohorts/{} (run `tradeoff serve` first).",
                built.cohort_id
            );
        }
        Command::Optimize { email } => {
            let state = open_state(cli.settings).await?;
            let user = find_user(&state, &email).await?;
            let row = crate::service::optimize::run(&state, user.id)
                .await
                .map_err(explain)?;
            println!(
                "log loss {:.4} -> {:.4}: {}",
                row.log_loss_before.unwrap_or(f64::NAN),
                row.log_loss_after.unwrap_or(f64::NAN),
                if row.decision.as_deref() == Some("keep") {
                    "new parameters kept"
                } else {
                    "no better; the old parameters stay"
                }
            );
        }
        Command::Decks {
            command: DecksCommand::Sync,
        } => {
            let folder = cli.settings.decks.clone();
            let state = open_state(cli.settings).await?;
            let report = crate::decks::sync(&state.db, &folder, state.clock.now()).await?;
            for (id, c) in &report.synced {
                println!(
                    "{id}: {} added, {} updated, {} retired, {} restored",
                    c.added, c.updated, c.retired, c.restored
                );
            }
            for path in &report.failed {
                println!("{path}: failed validation; its last good version stays live");
            }
            for id in &report.retired {
                println!("{id}: file gone; deck retired");
            }
            if !report.failed.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &CheckReport) {
    for file in &report.files {
        for d in &file.diagnostics {
            println!("{}", d.display(&file.path));
        }
        if let Some(s) = &file.summary {
            println!(
                "{}: {}: {} topics, {} facts, {} cards, {} questions, {} prompts \
                 (+{} generated cards, +{} generated questions)",
                file.path,
                s.id,
                s.topics,
                s.facts,
                s.cards,
                s.questions,
                s.prompts,
                s.generated_cards,
                s.generated_questions
            );
        }
    }
    println!(
        "{} file(s), {} error(s), {} warning(s)",
        report.files.len(),
        report.error_count(),
        report.warning_count()
    );
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
                Creator::Admin(role.into()),
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

async fn find_user(state: &crate::state::AppState, email: &str) -> anyhow::Result<db::users::User> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    db::users::find_by_email(&state.db, &email)
        .await?
        .with_context(|| format!("No account has the email {email}"))
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
