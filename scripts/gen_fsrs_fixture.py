#!/usr/bin/env python3
"""Generate tests/fixtures/fsrs_reference.json with py-fsrs, the reference FSRS-6 scheduler.

Each history is a card answered many times with mixed ratings, gaps from minutes to months,
same-day repeats and lapses. py-fsrs runs with fuzz off, learning steps 1m 10m, relearning
step 10m, desired retention 0.9 and a 36500-day maximum: our defaults.

py-fsrs counts elapsed days as whole 24-hour periods; we count study-day rollovers (04:00 in
the learner's timezone). The two agree when every review happens between 04:30 and 23:59 UTC
and the time of day never goes backwards from one review to the next, so the generator keeps
to exactly that. Rollover behaviour is tested separately in the Rust suite.

Reproducible: a fixed random seed. Run from the crate root:

    pip install -r scripts/requirements-fixture.txt
    python3 scripts/gen_fsrs_fixture.py
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

from fsrs import Card, Rating, Scheduler, State

SEED = 4_2024
HISTORIES = 64
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fsrs_reference.json"

EARLIEST_MINUTE_OF_DAY = 4 * 60 + 30  # 04:30 UTC, after the 04:00 rollover
LATEST_MINUTE_OF_DAY = 23 * 60 + 59


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def pick_rating(rng: random.Random, state: State) -> Rating:
    # Mostly Good, with enough of the others to exercise every branch.
    weights = [0.2, 0.15, 0.5, 0.15] if state != State.Review else [0.15, 0.15, 0.55, 0.15]
    return rng.choices([Rating.Again, Rating.Hard, Rating.Good, Rating.Easy], weights)[0]


def later_same_day(rng: random.Random, now: datetime, minutes: float) -> datetime | None:
    """`now` plus `minutes` (and a little jitter), if that stays on the same UTC day."""
    candidate = now + timedelta(minutes=minutes + rng.randint(0, 3))
    if candidate.date() != now.date() or minute_of_day(candidate) > LATEST_MINUTE_OF_DAY:
        return None
    return candidate


def some_days_later(rng: random.Random, now: datetime, days: int) -> datetime:
    """`days` later at the same time of day or a little later (never earlier)."""
    candidate = now + timedelta(days=days)
    room = LATEST_MINUTE_OF_DAY - minute_of_day(candidate)
    return candidate + timedelta(minutes=rng.randint(0, min(room, 45)))


def next_review_time(rng: random.Random, card: Card, now: datetime) -> datetime:
    if card.state in (State.Learning, State.Relearning):
        # Usually come back when the step is due; sometimes only on a later day.
        if rng.random() < 0.8:
            step_minutes = (card.due - now).total_seconds() / 60
            same_day = later_same_day(rng, now, step_minutes)
            if same_day is not None:
                return same_day
        return some_days_later(rng, now, rng.choice([1, 1, 2, 3, 7]))
    scheduled = max(1, round((card.due - now).total_seconds() / 86_400))
    kind = rng.random()
    if kind < 0.08:
        same_day = later_same_day(rng, now, rng.randint(5, 240))
        if same_day is not None:
            return same_day
        return some_days_later(rng, now, 1)
    if kind < 0.55:
        days = scheduled  # on time
    elif kind < 0.70:
        days = max(1, scheduled - rng.randint(1, max(1, scheduled // 2)))  # early
    elif kind < 0.90:
        days = scheduled + rng.randint(1, max(2, scheduled))  # late
    else:
        days = scheduled + rng.randint(30, 150)  # months away
    return some_days_later(rng, now, days)


def history(rng: random.Random, scheduler: Scheduler, index: int) -> dict:
    card = Card(card_id=index + 1)
    start_day = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(0, 365))
    now = start_day + timedelta(minutes=EARLIEST_MINUTE_OF_DAY + rng.randint(0, 90))
    reviews = []
    for _ in range(rng.randint(10, 30)):
        rating = pick_rating(rng, card.state)
        last_review = card.last_review
        card, _ = scheduler.review_card(card, rating, now)
        reviews.append(
            {
                "rating": int(rating),
                "time": iso(now),
                "time_ms": millis(now),
                "days_since_last_review": (now - last_review).days if last_review else None,
                "state": card.state.name.lower(),
                "step": card.step,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due": iso(card.due),
                "due_ms": millis(card.due),
            }
        )
        now = next_review_time(rng, card, now)
    return {"card": f"card-{index + 1}", "reviews": reviews}


def main() -> None:
    rng = random.Random(SEED)
    scheduler = Scheduler(
        desired_retention=0.9,
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
        relearning_steps=(timedelta(minutes=10),),
        maximum_interval=36500,
        enable_fuzzing=False,
    )
    histories = [history(rng, scheduler, index) for index in range(HISTORIES)]
    fixture = {
        "generator": "scripts/gen_fsrs_fixture.py",
        "py_fsrs_version": version("fsrs"),
        "seed": SEED,
        "scheduler": {
            "parameters": list(scheduler.parameters),
            "desired_retention": scheduler.desired_retention,
            "learning_steps_secs": [int(s.total_seconds()) for s in scheduler.learning_steps],
            "relearning_steps_secs": [int(s.total_seconds()) for s in scheduler.relearning_steps],
            "maximum_interval": scheduler.maximum_interval,
            "timezone": "UTC",
            "day_start_hour": 4,
        },
        "histories": histories,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1) + "\n")
    total = sum(len(h["reviews"]) for h in histories)
    print(f"wrote {len(histories)} histories, {total} reviews to {OUT}")


if __name__ == "__main__":
    main()
