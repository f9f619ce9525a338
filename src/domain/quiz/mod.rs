//! Quizzes: presenting questions with shuffled choices, checking and grading responses,
//! drawing a quiz from a pool, and the arithmetic of scores.
//!
//! Pure, like the rest of `domain`: no I/O, no clock, no global random source. Randomness
//! comes only from a seed the caller passes in ([`build_quiz`], [`quiz_rng`]). The learner
//! only ever sees presented positions ([`PublicQuestion`]); [`PresentedQuestion`] maps them
//! back to the deck's answer key and stays on the server. Grading rules are written up in
//! `docs/quiz-grading.md`.
//!
//! ```
//! use tradeoff::domain::deck::{Answer, Question};
//! use tradeoff::domain::quiz::{build_quiz, grade, Count, QuizItem, QuizSpec, Response};
//!
//! let question = Question {
//!     id: "q1".into(),
//!     topic: "concurrency".into(),
//!     prompt: "Is Go's `select` over channels?".into(),
//!     answer: Answer::TrueFalse { answer: true },
//!     explanation: "It is.".into(),
//!     card: None,
//!     tags: vec![],
//! };
//! let pool = [QuizItem {
//!     deck_id: "nodejs-vs-go".into(),
//!     question: question.clone(),
//!     subjects: vec!["Node.js".into(), "Go".into()],
//! }];
//! let spec = QuizSpec { topics: vec![], kinds: vec![], count: Count::Total(10) };
//! let quiz = build_quiz(&pool, &spec, 42).unwrap();
//! assert_eq!(quiz.shortfall(), 9);
//!
//! let presented = &quiz.questions[0];
//! let view = presented.public(&question).unwrap(); // send this to the browser
//! assert_eq!(view.prompt, question.prompt);
//! let response: Response = serde_json::from_str(r#"{"kind":"true_false","value":true}"#).unwrap();
//! let graded = grade(&question, presented, &response, &[]).unwrap();
//! assert!(graded.full_marks);
//! ```

mod build;
mod draw;
mod grade;
mod present;
mod response;
pub mod short_answer;
mod stats;

#[cfg(test)]
mod fixtures;

pub use build::{build_quiz, BuildError, BuiltQuiz, Count, QuizItem, QuizSpec, TopicShortfall};
pub use draw::{quiz_rng, QuizRng};
pub use grade::{
    correct_answer, grade, grade_prompt, multi_score, ordering_score, CorrectAnswer, Grade,
    GradeError,
};
pub use present::{
    present, which_one_options, Arrangement, PresentationError, PresentedQuestion, PublicQuestion,
    Shown,
};
pub use response::{Response, ResponseError, Target, MAX_SHORT_ANSWER_CHARS};
pub use short_answer::{near_misses, Verdict};
pub use stats::{discrimination_index, facility_index, total, AttemptScores, Total};
