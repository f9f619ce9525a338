//! Small builders shared by the scheduler tests.

use chrono::TimeZone;
use chrono_tz::Tz;
use tradeoff::domain::scheduler::{CardState, MemoryState, Phase, Settings, SettingsInput};

/// 2024-05-01 12:00:00 UTC.
pub const NOON_MS: i64 = 1_714_564_800_000;
pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 86_400_000;

/// Unix ms of a local wall-clock time that exists exactly once.
pub fn local_ms(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("unambiguous local time")
        .timestamp_millis()
}

pub fn settings_with(change: impl FnOnce(&mut SettingsInput)) -> Settings {
    let mut input = SettingsInput::default();
    change(&mut input);
    Settings::try_from(input).expect("valid test settings")
}

pub fn memory(stability: f32, difficulty: f32) -> MemoryState {
    MemoryState {
        stability,
        difficulty,
    }
}

pub fn learning(step: u32, last_review_ms: i64) -> CardState {
    CardState {
        phase: Phase::Learning {
            step,
            memory: memory(2.3, 5.0),
            last_review_ms,
            due_ms: last_review_ms + 10 * MINUTE_MS,
        },
        reps: step + 1,
        lapses: 0,
    }
}

pub fn review(stability: f32, scheduled_days: u32, last_review_ms: i64) -> CardState {
    CardState {
        phase: Phase::Review {
            memory: memory(stability, 5.0),
            scheduled_days,
            last_review_ms,
            due_ms: last_review_ms + i64::from(scheduled_days) * DAY_MS,
        },
        reps: 5,
        lapses: 1,
    }
}

pub fn relearning(step: u32, last_review_ms: i64) -> CardState {
    CardState {
        phase: Phase::Relearning {
            step,
            memory: memory(3.0, 7.0),
            scheduled_days: 3,
            last_review_ms,
            due_ms: last_review_ms + 10 * MINUTE_MS,
        },
        reps: 8,
        lapses: 2,
    }
}
