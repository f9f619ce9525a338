//! In-process caches for the reads every request makes: who a session or token belongs to,
//! and a learner's study settings and FSRS parameters.
//!
//! Every write that could change a cached value invalidates it after COMMIT, from the same
//! `db` function that wrote it, so a revoked token, an ended session or a changed role fails
//! on the very next request. A read records the cache's epoch *before* it queries and stores
//! its result only if no invalidation happened since, so a read that raced a write can never
//! put the old value back. Entries also expire after a while of wall time: that bounds how long
//! a change made by another process (the CLI on the same database) can go unseen. Who is signed
//! in is trusted for [`ACCOUNTS_TTL_MS`]; everything else, which only this server changes in
//! normal use, for [`STUDY_TTL_MS`].

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a session or token is trusted without asking the database again.
pub const ACCOUNTS_TTL_MS: u64 = 2_000;
/// How long settings, parameters, the catalogue and a learner's cards are trusted.
pub const STUDY_TTL_MS: u64 = 30_000;
/// Entries kept per cache; past that the cache starts over (memory stays bounded).
const CAPACITY: usize = 100_000;

/// A map whose entries are dropped by [`Cached::invalidate`] and after its time to live.
pub struct Cached<K, V> {
    inner: Mutex<Inner<K, V>>,
    ttl: Duration,
}

struct Inner<K, V> {
    epoch: u64,
    map: HashMap<K, (Instant, V)>,
}

impl<K: Eq + Hash, V: Clone> Default for Cached<K, V> {
    fn default() -> Self {
        Cached::with_ttl(STUDY_TTL_MS)
    }
}

impl<K: Eq + Hash, V: Clone> Cached<K, V> {
    pub fn with_ttl(ttl_ms: u64) -> Self {
        Cached {
            inner: Mutex::new(Inner {
                epoch: 0,
                map: HashMap::new(),
            }),
            ttl: Duration::from_millis(ttl_ms),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current epoch: read it before querying, and pass it to [`Cached::put`].
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let inner = self.lock();
        let (at, value) = inner.map.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Stores what a read found, unless the cache was invalidated since `epoch`.
    pub fn put(&self, epoch: u64, key: K, value: V) {
        let mut inner = self.lock();
        if inner.epoch != epoch {
            return;
        }
        if inner.map.len() >= CAPACITY {
            inner.map.clear();
        }
        inner.map.insert(key, (Instant::now(), value));
    }

    /// Changes a cached value in place (it keeps its age).
    pub fn update<Q>(&self, key: &Q, change: impl FnOnce(&mut V))
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some((_, value)) = self.lock().map.get_mut(key) {
            change(value);
        }
    }

    /// Drops every entry, and makes reads that started before now store nothing.
    pub fn invalidate(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.map.clear();
    }
}

/// One learner's queue data, shared by their requests; the writer's answers update it.
pub type SharedLearner = Arc<Mutex<crate::domain::queue::LearnerCards>>;

/// The study queue's data per learner. Unlike [`Cached`], it is kept current by the answers
/// themselves ([`Learners::update`] after COMMIT) rather than dropped, so a learner studying
/// never waits for a reload; every other change to a learner's cards drops their entry
/// ([`Learners::invalidate`]). Each learner has an epoch, moved on by both, so a load that
/// raced a change never stores what it read.
#[derive(Default)]
pub struct Learners {
    inner: Mutex<LearnerSlots>,
}

#[derive(Default)]
struct LearnerSlots {
    /// Moves on at every change to anyone's cards; a slot's epoch is the value at its last
    /// change (or at its creation). Because it never goes back, a load that read an epoch
    /// before a change can never match, even after the slots were cleared for room.
    counter: u64,
    slots: HashMap<i64, Slot>,
}

struct Slot {
    epoch: u64,
    cards: Option<(Instant, SharedLearner)>,
}

impl LearnerSlots {
    fn slot(&mut self, user_id: i64) -> &mut Slot {
        if self.slots.len() >= CAPACITY && !self.slots.contains_key(&user_id) {
            self.slots.clear();
        }
        let counter = self.counter;
        self.slots.entry(user_id).or_insert(Slot {
            epoch: counter,
            cards: None,
        })
    }

    fn changed(&mut self, user_id: i64) -> &mut Slot {
        self.counter += 1;
        let counter = self.counter;
        let slot = self.slot(user_id);
        slot.epoch = counter;
        slot
    }
}

impl Learners {
    fn lock(&self) -> std::sync::MutexGuard<'_, LearnerSlots> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The learner's entry, if fresh.
    pub fn get(&self, user_id: i64) -> Option<SharedLearner> {
        let inner = self.lock();
        let (at, cards) = inner.slots.get(&user_id)?.cards.as_ref()?;
        (at.elapsed() < Duration::from_millis(STUDY_TTL_MS)).then(|| cards.clone())
    }

    /// The learner's epoch: read it before loading, and pass it to [`Learners::put`].
    pub fn epoch(&self, user_id: i64) -> u64 {
        self.lock().slot(user_id).epoch
    }

    /// Stores a load, unless the learner's cards changed since `epoch`.
    pub fn put(&self, epoch: u64, user_id: i64, cards: SharedLearner) {
        let mut inner = self.lock();
        let slot = inner.slot(user_id);
        if slot.epoch == epoch {
            slot.cards = Some((Instant::now(), cards));
        }
    }

    /// Applies a committed change to the learner's entry, if there is one.
    pub fn update(
        &self,
        user_id: i64,
        change: impl FnOnce(&mut crate::domain::queue::LearnerCards),
    ) {
        let cards = {
            let mut inner = self.lock();
            inner
                .changed(user_id)
                .cards
                .as_ref()
                .map(|(_, c)| c.clone())
        };
        if let Some(cards) = cards {
            change(&mut cards.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// Drops the learner's entry: it is loaded again on the next request.
    pub fn invalidate(&self, user_id: i64) {
        self.lock().changed(user_id).cards = None;
    }
}

/// The caches a [`super::Db`] keeps.
pub struct Caches {
    /// Session hash → (user, last seen, expires at).
    pub sessions: Cached<String, (super::users::User, i64, i64)>,
    /// Token hash → (token id, user, last used).
    pub tokens: Cached<String, (i64, super::users::User, Option<i64>)>,
    /// User id → stored study settings.
    pub settings: Cached<i64, crate::domain::scheduler::SettingsInput>,
    /// User id → fitted FSRS parameters.
    pub params: Cached<i64, super::params::ParamsRow>,
    /// The live decks, parsed, in catalogue order.
    pub decks: Cached<(), std::sync::Arc<Vec<crate::domain::deck::Deck>>>,
    /// Deck id → its counts (generated items included).
    pub summaries: Cached<String, crate::domain::deck::DeckSummary>,
    /// Item id → the live item, if any.
    pub items: Cached<String, Option<Arc<super::decks::StoredItem>>>,
    /// Every live card of the catalogue, by id.
    pub cards: Cached<(), Arc<crate::domain::queue::Catalog>>,
    /// Deck id → the deck and its questions, for quizzes.
    pub pools: Cached<String, Arc<super::decks::DeckPool>>,
    /// User id → whether they are a learner in any cohort (most accounts are not, and their
    /// answers then need no assignment evaluation).
    pub in_cohorts: Cached<i64, bool>,
    /// User id → what the study queue knows of the learner.
    pub learners: Learners,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            sessions: Cached::with_ttl(ACCOUNTS_TTL_MS),
            tokens: Cached::with_ttl(ACCOUNTS_TTL_MS),
            settings: Cached::default(),
            params: Cached::default(),
            decks: Cached::default(),
            summaries: Cached::default(),
            items: Cached::default(),
            cards: Cached::default(),
            pools: Cached::default(),
            in_cohorts: Cached::default(),
            learners: Learners::default(),
        }
    }
}

impl Caches {
    /// After any change to users, sessions or tokens: who is signed in is asked again.
    pub fn accounts_changed(&self) {
        self.sessions.invalidate();
        self.tokens.invalidate();
    }
}

impl Caches {
    /// After a deck sync: the catalogue is read again.
    pub fn catalogue_changed(&self) {
        self.decks.invalidate();
        self.summaries.invalidate();
        self.items.invalidate();
        self.cards.invalidate();
        self.pools.invalidate();
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Caches")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_started_before_an_invalidation_stores_nothing() {
        let cache: Cached<i64, &str> = Cached::default();
        let seen = cache.epoch();
        cache.invalidate();
        cache.put(seen, 1, "old");
        assert_eq!(cache.get(&1), None);
        cache.put(cache.epoch(), 1, "new");
        assert_eq!(cache.get(&1), Some("new"));
    }

    #[test]
    fn invalidation_drops_every_entry() {
        let cache: Cached<i64, i64> = Cached::default();
        cache.put(cache.epoch(), 1, 10);
        cache.put(cache.epoch(), 2, 20);
        cache.invalidate();
        assert_eq!((cache.get(&1), cache.get(&2)), (None, None));
    }

    #[test]
    fn a_learner_load_that_raced_a_change_stores_nothing_even_after_a_clear() {
        let learners = Learners::default();
        let seen = learners.epoch(7);
        learners.invalidate(7);
        learners.lock().slots.clear(); // as when the cache is full
        learners.put(seen, 7, SharedLearner::default());
        assert!(learners.get(7).is_none());
        let fresh = learners.epoch(7);
        learners.put(fresh, 7, SharedLearner::default());
        assert!(learners.get(7).is_some());
    }

    #[test]
    fn update_changes_a_cached_value_only() {
        let cache: Cached<i64, i64> = Cached::default();
        cache.put(cache.epoch(), 1, 10);
        cache.update(&1, |v| *v += 1);
        cache.update(&2, |v| *v += 1);
        assert_eq!((cache.get(&1), cache.get(&2)), (Some(11), None));
    }
}
