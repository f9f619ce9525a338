//! Reading a deck file: bytes in, a checked [`Deck`] or every problem found out.
//!
//! The file is parsed with `toml_edit`, which keeps byte spans, and the tree is
//! walked by hand rather than deserialized: serde stops at the first problem,
//! while an author fixing a deck wants all of them at once, each at the exact
//! key or value that is wrong. A syntax error is the exception: the tree is not
//! trustworthy after one, so it is the only error reported for that file.
//!
//! Cascades are avoided on purpose: a reference is only checked against a list
//! that was itself read without errors, so one fault gives one error.
//!
//! Pure: no I/O, no clock, no global state.

use std::collections::{BTreeMap, HashMap};

use toml_edit::{ImDocument, Item, Table, TableLike, Value};

use super::diagnostic::{Diagnostic, LineIndex};
use super::format::{
    is_valid_id, Answer, Attribution, Card, Deck, Fact, Prompt, Question, QuestionKind, Topic,
    BOTH, MAX_ID_LEN,
};
use crate::markdown::contains_raw_html;

/// A deck that passed validation, with the warnings it still deserves.
#[derive(Debug, Clone)]
pub struct LoadedDeck {
    pub deck: Deck,
    pub warnings: Vec<Diagnostic>,
    /// Where the deck's `id` value sits, so checks across files can point at it.
    pub(crate) id_position: (usize, usize),
}

/// Parses and validates one deck file.
///
/// On success returns the deck and its warnings; otherwise every error and
/// warning found, sorted by position. Never panics, whatever the bytes.
pub fn load_deck(bytes: &[u8]) -> Result<LoadedDeck, Vec<Diagnostic>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            let (line, col) = LineIndex::new(prefix).position(prefix.len());
            let bad = bytes.get(err.valid_up_to()).copied().unwrap_or_default();
            return Err(vec![Diagnostic::error(
                line,
                col,
                format!("the file is not valid UTF-8 (byte 0x{bad:02x})"),
            )]);
        }
    };
    let index = LineIndex::new(text);
    let document = match ImDocument::parse(text) {
        Ok(document) => document,
        Err(err) => {
            let at = err.span().map_or(0, |span| span.start);
            let (line, col) = index.position(at);
            return Err(vec![Diagnostic::error(
                line,
                col,
                format!("TOML syntax: {}", one_line(err.message())),
            )]);
        }
    };
    let root = document.as_table();
    if root.is_empty() {
        return Err(vec![Diagnostic::error(
            1,
            1,
            "the deck is empty: it needs at least `id`, `title` and `subjects`",
        )]);
    }
    let mut checker = Checker {
        index,
        diagnostics: Vec::new(),
    };
    let deck = checker.deck(root);
    let mut diagnostics = checker.diagnostics;
    diagnostics.sort_by_key(|d| (d.line, d.col));
    match deck {
        Some((deck, id_position)) if !diagnostics.iter().any(Diagnostic::is_error) => {
            Ok(LoadedDeck {
                deck,
                warnings: diagnostics,
                id_position,
            })
        }
        Some(_) => Err(diagnostics),
        None if diagnostics.iter().any(Diagnostic::is_error) => Err(diagnostics),
        None => {
            // Every failed read reports an error, so this means a bug here, not in the deck.
            diagnostics.push(Diagnostic::error(
                1,
                1,
                "internal error: the deck was rejected without a reason",
            ));
            Err(diagnostics)
        }
    }
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A value read from the file, with the byte offset it starts at.
#[derive(Debug, Clone)]
struct Spanned<T> {
    value: T,
    at: usize,
}

/// Marks a value that was present but wrong; the error is already reported.
struct Invalid;

type Read<T> = Result<Option<T>, Invalid>;

/// A table of the file: the top level, a `[[header]]` entry or an inline table.
struct Section<'a> {
    table: &'a dyn TableLike,
    /// Where missing keys are reported: the header, or the start of the file.
    header: usize,
    /// How messages name the section, e.g. `[[cards]]`.
    name: &'static str,
}

struct Field<'a> {
    item: &'a Item,
    key_at: usize,
    at: usize,
}

/// How strictly a string is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Rendered as Markdown: raw HTML in it earns a warning.
    Markdown,
    Plain,
}

const QUESTION_KEYS: [&str; 7] = [
    "id",
    "topic",
    "kind",
    "prompt",
    "explanation",
    "card",
    "tags",
];
const ANSWER_KEYS: [&str; 3] = ["choices", "answer", "items"];

fn answer_keys(kind: QuestionKind) -> &'static [&'static str] {
    match kind {
        QuestionKind::Single | QuestionKind::Multi => &["choices", "answer"],
        QuestionKind::Ordering => &["items"],
        QuestionKind::TrueFalse | QuestionKind::WhichOne | QuestionKind::ShortAnswer => &["answer"],
    }
}

/// A fact as read, with where its `contrast` value sits for the group checks.
struct ReadFact {
    fact: Fact,
    contrast_at: Option<usize>,
}

/// The words that give a fact's subject away: each subject's name and its aliases.
struct TellTales<'d> {
    subjects: &'d [String],
    aliases: Option<&'d BTreeMap<String, Vec<String>>>,
}

impl TellTales<'_> {
    /// Each (word, subject it gives away) that `text` mentions as a whole word.
    fn found_in<'w>(&'w self, text: &str) -> Vec<(&'w str, &'w str)> {
        let mut found = Vec::new();
        for subject in self.subjects {
            let aliases = self.aliases.and_then(|a| a.get(subject));
            let words = std::iter::once(subject).chain(aliases.into_iter().flatten());
            if let Some(word) = words.into_iter().find(|word| names_subject(text, word)) {
                found.push((word.as_str(), subject.as_str()));
            }
        }
        found
    }
}

/// Ids and references collected while walking, checked once everything is read.
#[derive(Default)]
struct Names {
    topics: Vec<Spanned<String>>,
    /// (id, what kind of item) for facts, cards, questions and prompts.
    items: Vec<(Spanned<String>, &'static str)>,
    topic_refs: Vec<Spanned<String>>,
    card_refs: Vec<Spanned<String>>,
    /// False once a topic's id could not be read: unknown-topic errors would then be noise.
    topics_complete: bool,
    items_complete: bool,
}

struct Checker<'a> {
    index: LineIndex<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, at: usize, message: impl Into<String>) {
        let (line, col) = self.index.position(at);
        self.diagnostics.push(Diagnostic::error(line, col, message));
    }

    fn warning(&mut self, at: usize, message: impl Into<String>) {
        let (line, col) = self.index.position(at);
        self.diagnostics
            .push(Diagnostic::warning(line, col, message));
    }

    fn deck(&mut self, root: &'a Table) -> Option<(Deck, (usize, usize))> {
        let top = Section {
            table: root,
            header: 0,
            name: "the top level",
        };
        self.check_keys(
            &top,
            &[
                "id",
                "title",
                "description",
                "subjects",
                "aliases",
                "tags",
                "topics",
                "facts",
                "cards",
                "questions",
                "prompts",
            ],
            &[],
            "",
        );
        let id = self.id(&top);
        let title = self.required_text(&top, "title", Text::Plain);
        let description = self.text(&top, "description", Text::Markdown);
        let subjects = self.subjects(&top);
        let aliases = self.aliases(&top, subjects.as_deref());
        let tags = self.tags(&top);
        let tell_tales = TellTales {
            subjects: subjects.as_deref().unwrap_or_default(),
            aliases: aliases.as_ref().ok().and_then(Option::as_ref),
        };

        let mut names = Names {
            topics_complete: true,
            items_complete: true,
            ..Names::default()
        };
        let topics: Vec<_> = self
            .sections(&top, "topics", "[[topics]]", &mut names.topics_complete)
            .into_iter()
            .map(|s| self.topic(&s, &mut names))
            .collect();
        let facts: Vec<_> = self
            .sections(&top, "facts", "[[facts]]", &mut names.items_complete)
            .into_iter()
            .map(|s| self.fact(&s, &mut names, subjects.as_deref(), &tell_tales))
            .collect();
        let cards: Vec<_> = self
            .sections(&top, "cards", "[[cards]]", &mut names.items_complete)
            .into_iter()
            .map(|s| self.card(&s, &mut names))
            .collect();
        let questions: Vec<_> = self
            .sections(
                &top,
                "questions",
                "[[questions]]",
                &mut names.items_complete,
            )
            .into_iter()
            .map(|s| self.question(&s, &mut names, subjects.as_deref()))
            .collect();
        let prompts: Vec<_> = self
            .sections(&top, "prompts", "[[prompts]]", &mut names.items_complete)
            .into_iter()
            .map(|s| self.prompt(&s, &mut names))
            .collect();
        self.check_names(names);
        self.check_contrasts(&facts);

        let id = id?;
        let id_position = self.index.position(id.at);
        let deck = Deck {
            id: id.value,
            title: title?.value,
            description: description.ok()?.map(|d| d.value),
            subjects: subjects?,
            aliases: aliases.ok()?.unwrap_or_default(),
            tags: tags.ok()?.unwrap_or_default(),
            topics: topics.into_iter().collect::<Option<_>>()?,
            facts: facts
                .into_iter()
                .map(|fact| fact.map(|f| f.fact))
                .collect::<Option<_>>()?,
            cards: cards.into_iter().collect::<Option<_>>()?,
            questions: questions.into_iter().collect::<Option<_>>()?,
            prompts: prompts.into_iter().collect::<Option<_>>()?,
        };
        Some((deck, id_position))
    }

    fn topic(&mut self, s: &Section<'a>, names: &mut Names) -> Option<Topic> {
        self.check_keys(s, &["id", "title", "description"], &[], "");
        let id = self.id(s);
        match &id {
            Some(id) => names.topics.push(id.clone()),
            None => names.topics_complete = false,
        }
        let title = self.required_text(s, "title", Text::Plain);
        let description = self.text(s, "description", Text::Markdown);
        Some(Topic {
            id: id?.value,
            title: title?.value,
            description: description.ok()?.map(|d| d.value),
        })
    }

    fn fact(
        &mut self,
        s: &Section<'a>,
        names: &mut Names,
        subjects: Option<&[String]>,
        tell_tales: &TellTales<'_>,
    ) -> Option<ReadFact> {
        self.check_keys(
            s,
            &[
                "id",
                "topic",
                "subject",
                "text",
                "contrast",
                "exclusive",
                "tags",
            ],
            &[],
            "",
        );
        let id = self.item_id(s, names, "fact");
        let topic = self.topic_ref(s, names);
        let subject = self.attribution(s, "subject", subjects);
        let text = self.required_text(s, "text", Text::Markdown);
        let contrast = self.contrast(s);
        let exclusive = self.boolean(s, "exclusive");
        let tags = self.tags(s);
        if let (Some(subject), Some(text)) = (&subject, &text) {
            for (word, of) in tell_tales.found_in(&text.value) {
                if subject.holds_for(of) {
                    let why = if word == of {
                        format!("names `{of}`,")
                    } else {
                        format!("uses `{word}`, a tell-tale of `{of}` in [aliases],")
                    };
                    self.warning(
                        text.at,
                        format!("the fact's text {why} which gives its \"which one?\" answer away"),
                    );
                }
            }
        }
        let contrast = contrast.ok()?;
        let exclusive = exclusive.ok()?;
        if subject == Some(Attribution::Both) {
            if let Some(group) = &contrast {
                self.error(
                    group.at,
                    format!("a `{BOTH}` fact holds for every subject, so it cannot be in a contrast group"),
                );
                return None;
            }
            if let Some(Spanned { value: true, at }) = exclusive {
                self.error(
                    at,
                    format!("a `{BOTH}` fact holds for every subject, so it cannot be `exclusive`"),
                );
                return None;
            }
        }
        let exclusive = exclusive.is_some_and(|e| e.value);
        if matches!(subject, Some(Attribution::Subject(_))) && contrast.is_none() && !exclusive {
            self.warning(
                s.header,
                "this fact is in no contrast group and not `exclusive`, so it is never swapped to \
                 another subject and never offered as a wrong answer: add `contrast = \"dimension-id\"` \
                 (with the other subjects' sides in the same group) or `exclusive = true`",
            );
        }
        Some(ReadFact {
            contrast_at: contrast.as_ref().map(|c| c.at),
            fact: Fact {
                id: id?.value,
                topic: topic?.value,
                subject: subject?,
                text: text?.value,
                contrast: contrast.map(|c| c.value),
                exclusive,
                tags: tags.ok()?.unwrap_or_default(),
            },
        })
    }

    /// `contrast`: the id of the dimension the fact takes a side on.
    fn contrast(&mut self, s: &Section<'a>) -> Read<Spanned<String>> {
        let Some(group) = self.string(s, "contrast")? else {
            return Ok(None);
        };
        if is_valid_id(&group.value) {
            return Ok(Some(group));
        }
        self.error(
            group.at,
            format!(
                "invalid contrast group \"{}\": use an id (1 to {MAX_ID_LEN} characters from a-z, 0-9 and `-`)",
                group.value
            ),
        );
        Err(Invalid)
    }

    /// Each contrast group: at most one fact per subject, and more than one fact.
    fn check_contrasts(&mut self, facts: &[Option<ReadFact>]) {
        let mut groups: BTreeMap<&str, Vec<(&Fact, usize)>> = BTreeMap::new();
        for read in facts.iter().flatten() {
            if let (Some(group), Some(at)) = (&read.fact.contrast, read.contrast_at) {
                groups.entry(group).or_default().push((&read.fact, at));
            }
        }
        for (group, members) in groups {
            for (i, (fact, at)) in members.iter().enumerate() {
                if let Some((first, first_at)) =
                    members[..i].iter().find(|(m, _)| m.subject == fact.subject)
                {
                    let (line, _) = self.index.position(*first_at);
                    self.error(
                        *at,
                        format!(
                            "contrast group `{group}` already has a {} fact (`{}`, line {line}): a group holds one fact per subject",
                            String::from(fact.subject.clone()),
                            first.id
                        ),
                    );
                }
            }
            if let [(fact, at)] = members.as_slice() {
                if !fact.exclusive {
                    self.warning(
                        *at,
                        format!(
                            "contrast group `{group}` has only this fact, so it contrasts with nothing: \
                             add the other subjects' sides to it, or mark the fact `exclusive = true`"
                        ),
                    );
                }
            }
        }
    }

    /// `[aliases]`: per subject, the tell-tale words a fact must not use.
    fn aliases(
        &mut self,
        top: &Section<'a>,
        subjects: Option<&[String]>,
    ) -> Read<BTreeMap<String, Vec<String>>> {
        let Some(field) = self.field(top, "aliases") else {
            return Ok(None);
        };
        let Some(table) = field.item.as_table_like() else {
            self.error(
                field.at,
                format!(
                    "`aliases` must be a table of subject = [\"word\", ...], found {}",
                    type_name(field.item)
                ),
            );
            return Err(Invalid);
        };
        let section = Section {
            table,
            header: field.key_at,
            name: "[aliases]",
        };
        let mut aliases = BTreeMap::new();
        let mut ok = true;
        for (subject, _) in table.iter() {
            let at = self
                .field(&section, subject)
                .map_or(field.key_at, |f| f.key_at);
            if let Some(subjects) = subjects {
                if !subjects.iter().any(|known| known == subject) {
                    let expected: Vec<_> = subjects.iter().map(|s| format!("\"{s}\"")).collect();
                    self.error(
                        at,
                        format!(
                            "unknown subject \"{subject}\" in [aliases]: expected one of {}",
                            expected.join(", ")
                        ),
                    );
                    ok = false;
                    continue;
                }
            }
            match self.list(&section, subject, Text::Plain) {
                Ok(Some(words)) => {
                    aliases.insert(
                        subject.to_owned(),
                        words.value.into_iter().map(|w| w.value).collect(),
                    );
                }
                Ok(None) => {}
                Err(Invalid) => ok = false,
            }
        }
        if ok {
            Ok(Some(aliases))
        } else {
            Err(Invalid)
        }
    }

    /// An optional boolean.
    fn boolean(&mut self, s: &Section<'a>, key: &str) -> Read<Spanned<bool>> {
        let Some(field) = self.field(s, key) else {
            return Ok(None);
        };
        match field.item.as_value() {
            Some(Value::Boolean(value)) => Ok(Some(Spanned {
                value: *value.value(),
                at: field.at,
            })),
            _ => {
                self.error(
                    field.at,
                    format!(
                        "`{key}` must be true or false, found {}",
                        type_name(field.item)
                    ),
                );
                Err(Invalid)
            }
        }
    }

    fn card(&mut self, s: &Section<'a>, names: &mut Names) -> Option<Card> {
        self.check_keys(s, &["id", "topic", "front", "back", "tags"], &[], "");
        let id = self.item_id(s, names, "card");
        let topic = self.topic_ref(s, names);
        let front = self.required_text(s, "front", Text::Markdown);
        let back = self.required_text(s, "back", Text::Markdown);
        let tags = self.tags(s);
        Some(Card {
            id: id?.value,
            topic: topic?.value,
            front: front?.value,
            back: back?.value,
            tags: tags.ok()?.unwrap_or_default(),
        })
    }

    fn prompt(&mut self, s: &Section<'a>, names: &mut Names) -> Option<Prompt> {
        self.check_keys(
            s,
            &["id", "topic", "prompt", "model_answer", "rubric", "tags"],
            &[],
            "",
        );
        let id = self.item_id(s, names, "prompt");
        let topic = self.topic_ref(s, names);
        let prompt = self.required_text(s, "prompt", Text::Markdown);
        let model_answer = self.required_text(s, "model_answer", Text::Markdown);
        let rubric = self.required_list(s, "rubric", Text::Markdown, 1, "point");
        let tags = self.tags(s);
        Some(Prompt {
            id: id?.value,
            topic: topic?.value,
            prompt: prompt?.value,
            model_answer: model_answer?.value,
            rubric: rubric?,
            tags: tags.ok()?.unwrap_or_default(),
        })
    }

    fn question(
        &mut self,
        s: &Section<'a>,
        names: &mut Names,
        subjects: Option<&[String]>,
    ) -> Option<Question> {
        let kind = self.kind(s);
        let (answer_allowed, not_applicable, kind_name): (&[&str], Vec<&str>, &str) = match kind {
            Some(kind) => (
                answer_keys(kind),
                ANSWER_KEYS
                    .into_iter()
                    .filter(|key| !answer_keys(kind).contains(key))
                    .collect(),
                kind.as_str(),
            ),
            // Without a usable kind, any answer key might be right: do not guess.
            None => (&ANSWER_KEYS, Vec::new(), ""),
        };
        let allowed: Vec<&str> = QUESTION_KEYS
            .iter()
            .chain(answer_allowed)
            .copied()
            .collect();
        self.check_keys(s, &allowed, &not_applicable, kind_name);

        let id = self.item_id(s, names, "question");
        let topic = self.topic_ref(s, names);
        let prompt = self.required_text(s, "prompt", Text::Markdown);
        let explanation = self.required_text(s, "explanation", Text::Markdown);
        let card = self.reference(s, "card");
        if let Ok(Some(card)) = &card {
            names.card_refs.push(card.clone());
        }
        let tags = self.tags(s);
        let answer = match kind {
            Some(kind) => self.answer(s, kind, subjects),
            None => None,
        };
        Some(Question {
            id: id?.value,
            topic: topic?.value,
            prompt: prompt?.value,
            answer: answer?,
            explanation: explanation?.value,
            card: card.ok()?.map(|c| c.value),
            tags: tags.ok()?.unwrap_or_default(),
        })
    }

    fn kind(&mut self, s: &Section<'a>) -> Option<QuestionKind> {
        let raw = self.string(s, "kind");
        let raw = self.require(s, "kind", raw)?;
        let kind = QuestionKind::parse(&raw.value);
        if kind.is_none() {
            let expected: Vec<_> = QuestionKind::ALL.iter().map(|k| k.as_str()).collect();
            self.error(
                raw.at,
                format!(
                    "unknown question kind `{}`: expected one of {}",
                    raw.value,
                    expected.join(", ")
                ),
            );
        }
        kind
    }

    fn answer(
        &mut self,
        s: &Section<'a>,
        kind: QuestionKind,
        subjects: Option<&[String]>,
    ) -> Option<Answer> {
        let name = kind.as_str();
        match kind {
            QuestionKind::Single => {
                let choices = self.required_list(s, "choices", Text::Markdown, 2, "choice");
                let field = self.require(s, "answer", Ok(self.field(s, "answer")))?;
                let Some(Value::Integer(index)) = field.item.as_value() else {
                    self.error(
                        field.at,
                        format!(
                            "`answer` for kind `{name}` must be an integer (a 0-based index into `choices`), found {}",
                            type_name(field.item)
                        ),
                    );
                    return None;
                };
                let choices = choices?;
                let index = self.index_in(*index.value(), choices.len(), field.at)?;
                Some(Answer::Single {
                    choices,
                    answer: index,
                })
            }
            QuestionKind::Multi => {
                let choices = self.required_list(s, "choices", Text::Markdown, 2, "choice");
                let field = self.require(s, "answer", Ok(self.field(s, "answer")))?;
                let Some(Value::Array(array)) = field.item.as_value() else {
                    self.error(
                        field.at,
                        format!(
                            "`answer` for kind `{name}` must be an array of 0-based indexes into `choices`, found {}",
                            type_name(field.item)
                        ),
                    );
                    return None;
                };
                if array.is_empty() {
                    self.error(field.at, "`answer` must list at least one correct choice");
                    return None;
                }
                let count = choices.as_ref().map(Vec::len);
                let mut indexes = Vec::new();
                let mut ok = true;
                for value in array.iter() {
                    let at = value.span().map_or(field.at, |span| span.start);
                    let Value::Integer(index) = value else {
                        self.error(
                            at,
                            format!(
                                "each entry of `answer` must be an integer index, found {}",
                                value_type_name(value)
                            ),
                        );
                        ok = false;
                        continue;
                    };
                    let Some(count) = count else { continue };
                    match self.index_in(*index.value(), count, at) {
                        Some(index) if indexes.contains(&index) => {
                            self.error(at, format!("index {index} is listed twice in `answer`"));
                            ok = false;
                        }
                        Some(index) => indexes.push(index),
                        None => ok = false,
                    }
                }
                let choices = choices?;
                indexes.sort_unstable();
                ok.then_some(Answer::Multi {
                    choices,
                    answer: indexes,
                })
            }
            QuestionKind::TrueFalse => {
                let field = self.require(s, "answer", Ok(self.field(s, "answer")))?;
                match field.item.as_value() {
                    Some(Value::Boolean(answer)) => Some(Answer::TrueFalse {
                        answer: *answer.value(),
                    }),
                    _ => {
                        self.error(
                            field.at,
                            format!(
                                "`answer` for kind `{name}` must be true or false, found {}",
                                type_name(field.item)
                            ),
                        );
                        None
                    }
                }
            }
            QuestionKind::WhichOne => {
                let answer = self.attribution(s, "answer", subjects)?;
                Some(Answer::WhichOne { answer })
            }
            QuestionKind::ShortAnswer => {
                let accepted =
                    self.required_list(s, "answer", Text::Plain, 1, "accepted answer")?;
                Some(Answer::ShortAnswer { answer: accepted })
            }
            QuestionKind::Ordering => {
                let items = self.required_list(s, "items", Text::Markdown, 2, "item")?;
                Some(Answer::Ordering { items })
            }
        }
    }

    fn index_in(&mut self, index: i64, count: usize, at: usize) -> Option<usize> {
        match usize::try_from(index) {
            Ok(index) if index < count => Some(index),
            _ => {
                self.error(
                    at,
                    format!(
                        "answer index {index} is out of range: `choices` has {count} entries (indexes 0 to {})",
                        count.saturating_sub(1)
                    ),
                );
                None
            }
        }
    }

    /// `subjects`: two or more distinct, non-empty names, none of them `both`.
    fn subjects(&mut self, top: &Section<'a>) -> Option<Vec<String>> {
        let list = self.list(top, "subjects", Text::Plain);
        let list = self.require(top, "subjects", list)?;
        let mut ok = true;
        for (i, subject) in list.value.iter().enumerate() {
            if subject.value.eq_ignore_ascii_case(BOTH) {
                self.error(
                    subject.at,
                    format!("`{BOTH}` cannot be a subject: it is the attribution for facts that hold for every subject"),
                );
                ok = false;
            } else if list.value[..i]
                .iter()
                .any(|earlier| earlier.value.to_lowercase() == subject.value.to_lowercase())
            {
                self.error(
                    subject.at,
                    format!("subject `{}` is listed twice", subject.value),
                );
                ok = false;
            }
        }
        if list.value.len() < 2 {
            self.error(
                list.at,
                format!(
                    "`subjects` needs at least 2 entries (a deck compares things), found {}",
                    list.value.len()
                ),
            );
            ok = false;
        }
        ok.then(|| list.value.into_iter().map(|s| s.value).collect())
    }

    /// A subject name or `both`, checked against `subjects` when those were readable.
    fn attribution(
        &mut self,
        s: &Section<'a>,
        key: &str,
        subjects: Option<&[String]>,
    ) -> Option<Attribution> {
        let raw = self.string(s, key);
        let raw = self.require(s, key, raw)?;
        let subjects = subjects?;
        if raw.value == BOTH || subjects.contains(&raw.value) {
            return Some(Attribution::from(raw.value));
        }
        let expected: Vec<_> = subjects.iter().map(|s| format!("\"{s}\"")).collect();
        self.error(
            raw.at,
            format!(
                "unknown subject \"{}\" in `{key}`: expected one of {} or \"{BOTH}\"",
                raw.value,
                expected.join(", ")
            ),
        );
        None
    }

    /// The `id` of the section, which must be well formed.
    fn id(&mut self, s: &Section<'a>) -> Option<Spanned<String>> {
        let raw = self.string(s, "id");
        let id = self.require(s, "id", raw)?;
        if is_valid_id(&id.value) {
            Some(id)
        } else {
            self.error(
                id.at,
                format!(
                    "invalid id \"{}\": use 1 to {MAX_ID_LEN} characters from a-z, 0-9 and `-`, not starting or ending with `-`",
                    id.value
                ),
            );
            None
        }
    }

    fn item_id(
        &mut self,
        s: &Section<'a>,
        names: &mut Names,
        what: &'static str,
    ) -> Option<Spanned<String>> {
        let id = self.id(s);
        match &id {
            Some(id) => names.items.push((id.clone(), what)),
            None => names.items_complete = false,
        }
        id
    }

    fn topic_ref(&mut self, s: &Section<'a>, names: &mut Names) -> Option<Spanned<String>> {
        let topic = self.reference(s, "topic");
        let topic = self.require(s, "topic", topic)?;
        names.topic_refs.push(topic.clone());
        Some(topic)
    }

    /// A string naming something else in the deck; resolved in [`Self::check_names`].
    fn reference(&mut self, s: &Section<'a>, key: &str) -> Read<Spanned<String>> {
        let Some(raw) = self.string(s, key)? else {
            return Ok(None);
        };
        if raw.value.trim().is_empty() {
            self.error(raw.at, format!("`{key}` must not be empty"));
            return Err(Invalid);
        }
        Ok(Some(raw))
    }

    fn check_names(&mut self, mut names: Names) {
        let mut topics: Vec<_> = names
            .topics
            .iter()
            .map(|id| (id.clone(), "topic"))
            .collect();
        check_unique(self, &mut topics);
        check_unique(self, &mut names.items);
        // The first item to use an id wins, as in the duplicate error above.
        let mut kinds: HashMap<&str, &str> = HashMap::new();
        for (id, what) in &names.items {
            kinds.entry(id.value.as_str()).or_insert(what);
        }

        if names.topics_complete {
            let known: Vec<_> = names.topics.iter().map(|t| t.value.as_str()).collect();
            for topic in &names.topic_refs {
                if !known.contains(&topic.value.as_str()) {
                    let listed = if known.is_empty() {
                        "the deck has no [[topics]]".to_owned()
                    } else {
                        format!("known topics: {}", known.join(", "))
                    };
                    self.error(
                        topic.at,
                        format!("unknown topic `{}` ({listed})", topic.value),
                    );
                }
            }
        }
        if names.items_complete {
            for card in &names.card_refs {
                match kinds.get(card.value.as_str()) {
                    Some(&"card") | Some(&"fact") => {}
                    Some(other) => self.error(
                        card.at,
                        format!(
                            "`card` must name a card or a fact, but `{}` is a {other}",
                            card.value
                        ),
                    ),
                    None => self.error(
                        card.at,
                        format!(
                            "`card` names `{}`, which is not a card or fact in this deck",
                            card.value
                        ),
                    ),
                }
            }
        }
    }

    fn tags(&mut self, s: &Section<'a>) -> Read<Vec<String>> {
        Ok(self
            .list(s, "tags", Text::Plain)?
            .map(|list| list.value.into_iter().map(|t| t.value).collect()))
    }

    fn required_text(&mut self, s: &Section<'a>, key: &str, text: Text) -> Option<Spanned<String>> {
        let found = self.text(s, key, text);
        self.require(s, key, found)
    }

    /// A non-blank string.
    fn text(&mut self, s: &Section<'a>, key: &str, text: Text) -> Read<Spanned<String>> {
        let Some(raw) = self.string(s, key)? else {
            return Ok(None);
        };
        self.check_text(&format!("`{key}`"), &raw, text)?;
        Ok(Some(raw))
    }

    /// `what` names the value in messages: "`front`", "an entry of `choices`".
    fn check_text(&mut self, what: &str, raw: &Spanned<String>, text: Text) -> Result<(), Invalid> {
        if raw.value.trim().is_empty() {
            self.error(raw.at, format!("{what} must not be empty"));
            return Err(Invalid);
        }
        if text == Text::Markdown && contains_raw_html(&raw.value) {
            self.warning(
                raw.at,
                format!("{what} contains raw HTML; it will be shown as text, not rendered"),
            );
        }
        Ok(())
    }

    /// A required array of at least `min` distinct non-blank strings.
    fn required_list(
        &mut self,
        s: &Section<'a>,
        key: &str,
        text: Text,
        min: usize,
        entry: &str,
    ) -> Option<Vec<String>> {
        let list = self.list(s, key, text);
        let list = self.require(s, key, list)?;
        let mut ok = true;
        if list.value.len() < min {
            let plural = if min == 1 { "" } else { "s" };
            self.error(
                list.at,
                format!(
                    "`{key}` needs at least {min} {entry}{plural}, found {}",
                    list.value.len()
                ),
            );
            ok = false;
        }
        for (i, item) in list.value.iter().enumerate() {
            if list.value[..i]
                .iter()
                .any(|earlier| earlier.value.trim() == item.value.trim())
            {
                self.error(item.at, format!("duplicate {entry} in `{key}`"));
                ok = false;
            }
        }
        ok.then(|| list.value.into_iter().map(|item| item.value).collect())
    }

    /// An array of non-blank strings (possibly empty).
    fn list(
        &mut self,
        s: &Section<'a>,
        key: &str,
        text: Text,
    ) -> Read<Spanned<Vec<Spanned<String>>>> {
        let Some(field) = self.field(s, key) else {
            return Ok(None);
        };
        let Some(Value::Array(array)) = field.item.as_value() else {
            self.error(
                field.at,
                format!(
                    "`{key}` must be an array of strings, found {}",
                    type_name(field.item)
                ),
            );
            return Err(Invalid);
        };
        let mut entries = Vec::new();
        let mut ok = true;
        for value in array.iter() {
            let at = value.span().map_or(field.at, |span| span.start);
            let Value::String(string) = value else {
                self.error(
                    at,
                    format!(
                        "each entry of `{key}` must be a string, found {}",
                        value_type_name(value)
                    ),
                );
                ok = false;
                continue;
            };
            let entry = Spanned {
                value: string.value().clone(),
                at,
            };
            ok &= self
                .check_text(&format!("an entry of `{key}`"), &entry, text)
                .is_ok();
            entries.push(entry);
        }
        if !ok {
            return Err(Invalid);
        }
        Ok(Some(Spanned {
            value: entries,
            at: field.at,
        }))
    }

    /// Any string, blank or not.
    fn string(&mut self, s: &Section<'a>, key: &str) -> Read<Spanned<String>> {
        let Some(field) = self.field(s, key) else {
            return Ok(None);
        };
        match field.item.as_value() {
            Some(Value::String(string)) => Ok(Some(Spanned {
                value: string.value().clone(),
                at: field.at,
            })),
            _ => {
                self.error(
                    field.at,
                    format!("`{key}` must be a string, found {}", type_name(field.item)),
                );
                Err(Invalid)
            }
        }
    }

    /// Turns an absent required key into an error at the section's header.
    fn require<T>(&mut self, s: &Section<'a>, key: &str, read: Read<T>) -> Option<T> {
        match read {
            Ok(Some(value)) => Some(value),
            Ok(None) => {
                self.error(
                    s.header,
                    format!("missing required key `{key}` in {}", s.name),
                );
                None
            }
            Err(Invalid) => None,
        }
    }

    fn field(&self, s: &Section<'a>, key: &str) -> Option<Field<'a>> {
        let (key, item) = s.table.get_key_value(key)?;
        if item.is_none() {
            return None;
        }
        let key_at = key.span().map_or(s.header, |span| span.start);
        let at = item.span().map_or(key_at, |span| span.start);
        Some(Field { item, key_at, at })
    }

    /// Reports keys that are not in `allowed`. Keys in `not_applicable` exist,
    /// but not for this question kind (`kind`).
    fn check_keys(
        &mut self,
        s: &Section<'a>,
        allowed: &[&str],
        not_applicable: &[&str],
        kind: &str,
    ) {
        for (key, _) in s.table.iter() {
            if allowed.contains(&key) {
                continue;
            }
            let at = self.field(s, key).map_or(s.header, |field| field.key_at);
            if not_applicable.contains(&key) {
                self.error(at, format!("`{key}` does not apply to kind `{kind}`"));
                continue;
            }
            let hint = allowed
                .iter()
                .chain(not_applicable)
                .find(|known| edit_distance(known, key) <= 2)
                .map(|known| format!(" (did you mean `{known}`?)"))
                .unwrap_or_default();
            self.error(at, format!("unknown key `{key}` in {}{hint}", s.name));
        }
    }

    /// The tables under `key`: `[[key]]` entries, or an array of inline tables.
    /// Clears `complete` when some entry could not be read as a table.
    fn sections(
        &mut self,
        top: &Section<'a>,
        key: &str,
        name: &'static str,
        complete: &mut bool,
    ) -> Vec<Section<'a>> {
        let Some(field) = self.field(top, key) else {
            return Vec::new();
        };
        match field.item {
            Item::ArrayOfTables(tables) => tables
                .iter()
                .map(|table| Section {
                    table,
                    header: table.span().map_or(field.key_at, |span| span.start),
                    name,
                })
                .collect(),
            Item::Value(Value::Array(array)) => {
                let mut sections = Vec::new();
                for value in array.iter() {
                    let at = value.span().map_or(field.at, |span| span.start);
                    match value {
                        Value::InlineTable(table) => sections.push(Section {
                            table,
                            header: at,
                            name,
                        }),
                        other => {
                            *complete = false;
                            self.error(
                                at,
                                format!(
                                    "each entry of `{key}` must be a table, found {}",
                                    value_type_name(other)
                                ),
                            );
                        }
                    }
                }
                sections
            }
            other => {
                *complete = false;
                self.error(
                    field.at,
                    format!(
                        "`{key}` must be an array of tables (write each entry under a `[[{key}]]` header), found {}",
                        type_name(other)
                    ),
                );
                Vec::new()
            }
        }
    }
}

/// Reports each id seen before, at its later occurrence, naming what used it first.
fn check_unique(checker: &mut Checker<'_>, ids: &mut [(Spanned<String>, &'static str)]) {
    ids.sort_by_key(|(id, _)| id.at);
    let mut first_seen: HashMap<&str, (usize, &str)> = HashMap::new();
    for (id, what) in ids.iter() {
        match first_seen.get(id.value.as_str()) {
            Some(&(first, first_what)) => {
                let (line, _) = checker.index.position(first);
                let message = format!(
                    "duplicate id `{}`: already used by a {first_what} on line {line}",
                    id.value
                );
                checker.error(id.at, message);
            }
            None => {
                first_seen.insert(&id.value, (id.at, what));
            }
        }
    }
}

/// Whether `text` mentions `subject` as a whole word, ignoring case.
pub(crate) fn names_subject(text: &str, subject: &str) -> bool {
    let text = text.to_lowercase();
    let subject = subject.to_lowercase();
    if subject.is_empty() {
        return false;
    }
    text.match_indices(&subject).any(|(at, found)| {
        let before = text[..at].chars().next_back();
        let after = text[at + found.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(value) => value_type_name(value),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

fn value_type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::InlineTable(_) => "an inline table",
    }
}

/// Levenshtein distance, for "did you mean" hints on short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "d"
title = "D"
subjects = ["Node.js", "Go"]

[[topics]]
id = "t"
title = "T"
"#;

    fn errors_of(extra: &str) -> Vec<String> {
        match load_deck(format!("{MINIMAL}{extra}").as_bytes()) {
            Ok(loaded) => panic!("expected errors, got a deck: {:?}", loaded.deck),
            Err(diagnostics) => diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.display("f").to_string())
                .collect(),
        }
    }

    #[test]
    fn minimal_deck_loads_without_warnings() {
        let loaded = load_deck(MINIMAL.as_bytes()).expect("minimal deck is valid");
        assert_eq!(loaded.deck.subjects, ["Node.js", "Go"]);
        assert!(loaded.warnings.is_empty());
        assert_eq!(loaded.id_position, (2, 6));
    }

    #[test]
    fn every_semantic_error_is_reported_not_just_the_first() {
        let errors = errors_of(
            r#"
[[cards]]
id = "c"
topic = "nope"
fornt = "x"
back = ""
"#,
        );
        assert_eq!(
            errors,
            [
                "f:10:1: error: missing required key `front` in [[cards]]",
                "f:12:9: error: unknown topic `nope` (known topics: t)",
                "f:13:1: error: unknown key `fornt` in [[cards]] (did you mean `front`?)",
                "f:14:8: error: `back` must not be empty",
            ]
        );
    }

    #[test]
    fn inline_tables_are_read_like_headers() {
        let deck = r#"
id = "d"
title = "D"
subjects = ["Node.js", "Go"]
topics = [{ id = "t", title = "T" }]
cards = [{ id = "c", topic = "t", front = "f", back = "b" }, { id = "c2", topic = "t" }]
"#;
        let errors: Vec<_> = load_deck(deck.as_bytes())
            .expect_err("the second card misses keys")
            .iter()
            .map(|d| d.display("f").to_string())
            .collect();
        assert_eq!(
            errors,
            [
                "f:6:62: error: missing required key `front` in [[cards]]",
                "f:6:62: error: missing required key `back` in [[cards]]",
            ]
        );
    }

    #[test]
    fn fact_naming_its_subject_is_a_warning() {
        let deck = format!(
            "{MINIMAL}\n[[facts]]\nid = \"f\"\ntopic = \"t\"\nsubject = \"Go\"\ntext = \"Go's runtime has a scheduler.\"\nexclusive = true\n"
        );
        let loaded = load_deck(deck.as_bytes()).expect("a warning does not reject the deck");
        let warnings: Vec<_> = loaded
            .warnings
            .iter()
            .map(|d| d.display("f").to_string())
            .collect();
        assert_eq!(
            warnings,
            ["f:14:8: warning: the fact's text names `Go`, which gives its \"which one?\" answer away"]
        );
    }

    fn warnings_of(extra: &str) -> Vec<String> {
        let deck = format!("{MINIMAL}\n{extra}");
        match load_deck(deck.as_bytes()) {
            Ok(loaded) => loaded.warnings.iter().map(|d| d.message.clone()).collect(),
            Err(diagnostics) => panic!("rejected: {diagnostics:?}"),
        }
    }

    const FACT: &str = "[[facts]]\ntopic = \"t\"\n";

    #[test]
    fn a_fact_using_its_own_subjects_alias_is_a_warning() {
        let aliases = "[aliases]\nGo = [\"goroutine\", \"channels\"]\n";
        let warnings = warnings_of(&format!(
            "{FACT}id = \"f\"\nsubject = \"Go\"\nexclusive = true\ntext = \"Each goroutine is cheap.\"\n\
             {FACT}id = \"g\"\nsubject = \"Node.js\"\nexclusive = true\ntext = \"Unlike channels, it uses callbacks.\"\n"
        ));
        assert!(warnings.is_empty(), "no aliases, no warning: {warnings:?}");
        // `[aliases]` must come before the `[[facts]]` headers in TOML.
        let deck = MINIMAL.replacen("\n[[topics]]", &format!("\n{aliases}\n[[topics]]"), 1);
        let deck = format!(
            "{deck}\n{FACT}id = \"f\"\nsubject = \"Go\"\nexclusive = true\ntext = \"Each Goroutine is cheap.\"\n\
             {FACT}id = \"g\"\nsubject = \"Node.js\"\nexclusive = true\ntext = \"Unlike channels, it uses callbacks.\"\n"
        );
        let loaded = load_deck(deck.as_bytes()).expect("warnings only");
        let messages: Vec<&str> = loaded.warnings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages.len(),
            1,
            "only the Go fact gives itself away: {messages:?}"
        );
        assert!(
            messages[0].contains("`goroutine`, a tell-tale of `Go`"),
            "{}",
            messages[0]
        );
        assert_eq!(loaded.deck.aliases["Go"], ["goroutine", "channels"]);
    }

    #[test]
    fn aliases_must_name_subjects_and_hold_strings() {
        for (aliases, want) in [
            (
                "[aliases]\nRust = [\"cargo\"]\n",
                "unknown subject \"Rust\" in [aliases]",
            ),
            (
                "[aliases]\nGo = \"goroutine\"\n",
                "`Go` must be an array of strings",
            ),
            ("aliases = [\"x\"]\n", "`aliases` must be a table"),
        ] {
            let deck = MINIMAL.replacen("\n[[topics]]", &format!("\n{aliases}\n[[topics]]"), 1);
            let errors: Vec<String> = load_deck(deck.as_bytes())
                .expect_err("rejected")
                .iter()
                .map(|d| d.message.clone())
                .collect();
            assert!(
                errors.iter().any(|e| e.contains(want)),
                "{aliases}: {errors:?}"
            );
        }
    }

    #[test]
    fn contrast_groups_are_checked() {
        let go = |id: &str, group: &str| {
            format!("{FACT}id = \"{id}\"\nsubject = \"Go\"\ntext = \"Claim {id}.\"\ncontrast = \"{group}\"\n")
        };
        let node = |id: &str, group: &str| {
            format!("{FACT}id = \"{id}\"\nsubject = \"Node.js\"\ntext = \"Claim {id}.\"\ncontrast = \"{group}\"\n")
        };
        assert!(warnings_of(&format!("{}{}", go("a", "model"), node("b", "model"))).is_empty());
        let lonely = warnings_of(&go("a", "model"));
        assert!(
            lonely[0].contains("contrast group `model` has only this fact"),
            "{lonely:?}"
        );
        let unmarked = warnings_of(&format!(
            "{FACT}id = \"a\"\nsubject = \"Go\"\ntext = \"A claim.\"\n"
        ));
        assert!(
            unmarked[0].contains("in no contrast group and not `exclusive`"),
            "{unmarked:?}"
        );
        let twice = errors_of(&format!(
            "{}{}{}",
            go("a", "m"),
            go("c", "m"),
            node("b", "m")
        ));
        assert!(
            twice
                .iter()
                .any(|e| e.contains("contrast group `m` already has a Go fact (`a`")),
            "{twice:?}"
        );
        let both = errors_of(&format!(
            "{FACT}id = \"a\"\nsubject = \"both\"\ntext = \"A.\"\ncontrast = \"m\"\n"
        ));
        assert!(
            both.iter()
                .any(|e| e.contains("cannot be in a contrast group")),
            "{both:?}"
        );
        let both = errors_of(&format!(
            "{FACT}id = \"a\"\nsubject = \"both\"\ntext = \"A.\"\nexclusive = true\n"
        ));
        assert!(
            both.iter().any(|e| e.contains("cannot be `exclusive`")),
            "{both:?}"
        );
        let bad = errors_of(&format!("{FACT}id = \"a\"\nsubject = \"Go\"\ntext = \"A.\"\nexclusive = \"yes\"\ncontrast = \"Bad Group\"\n"));
        assert!(
            bad.iter()
                .any(|e| e.contains("`exclusive` must be true or false")),
            "{bad:?}"
        );
        assert!(
            bad.iter().any(|e| e.contains("invalid contrast group")),
            "{bad:?}"
        );
    }

    #[test]
    fn subject_names_match_whole_words_only() {
        assert!(names_subject("Unlike GO, it...", "Go"));
        assert!(names_subject("Go's scheduler", "Go"));
        assert!(names_subject("uses node.js streams", "Node.js"));
        assert!(!names_subject("goroutines are cheap", "Go"));
        assert!(!names_subject("a good algorithm", "Go"));
    }

    #[test]
    fn multi_answers_are_sorted_and_checked_one_by_one() {
        let errors = errors_of(
            r#"
[[questions]]
id = "q"
topic = "t"
kind = "multi"
prompt = "p"
choices = ["a", "b", "c"]
answer = [2, 5, "x", 2]
explanation = "e"
"#,
        );
        assert_eq!(
            errors,
            [
                "f:16:14: error: answer index 5 is out of range: `choices` has 3 entries (indexes 0 to 2)",
                "f:16:17: error: each entry of `answer` must be an integer index, found a string",
                "f:16:22: error: index 2 is listed twice in `answer`",
            ]
        );
    }

    #[test]
    fn keys_of_another_kind_are_named_as_such() {
        let errors = errors_of(
            r#"
[[questions]]
id = "q"
topic = "t"
kind = "true_false"
prompt = "p"
choices = ["a", "b"]
answer = true
explanation = "e"
"#,
        );
        assert_eq!(
            errors,
            ["f:15:1: error: `choices` does not apply to kind `true_false`"]
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("front", "fornt"), 2);
        assert_eq!(edit_distance("back", "back"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
