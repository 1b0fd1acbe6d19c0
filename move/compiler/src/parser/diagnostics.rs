//! Diagnostics of the front end: a severity, a short headline, a primary label at the offending
//! span and secondary labels (what was expected, what it should match), rendered with
//! `codespan-reporting` as `file:line:column`, the source line and a caret.

use std::fmt;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

use super::ast::{FileId, Loc};

/// How bad a diagnostic is. Anything from `Error` up means the file did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    /// An error after which parsing went on (duplicate modifier, bad address literal, ...).
    NonBlockingError,
    /// An error that stopped parsing of the file.
    Error,
}

/// What kind of problem a diagnostic reports; the headline of the rendered message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    InvalidCharacter,
    UnexpectedToken,
    InvalidModifier,
    InvalidDocComment,
    InvalidAddress,
    InvalidByteString,
    InvalidHexString,
    InvalidSpecBlockMember,
    DuplicateItem,
    Deprecated,
    TooDeeplyNested,
}

impl Code {
    pub fn headline(self) -> &'static str {
        match self {
            Code::InvalidCharacter => "invalid character",
            Code::UnexpectedToken => "unexpected token",
            Code::InvalidModifier => "invalid modifier",
            Code::InvalidDocComment => "invalid documentation comment",
            Code::InvalidAddress => "invalid address",
            Code::InvalidByteString => "invalid byte string",
            Code::InvalidHexString => "invalid hex string",
            Code::InvalidSpecBlockMember => "invalid spec block member",
            Code::DuplicateItem => "duplicate declaration, item, or annotation",
            Code::Deprecated => "deprecated usage",
            Code::TooDeeplyNested => "nesting too deep",
        }
    }
}

/// One message about the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// The offending span and what is wrong there ("Unexpected 'x'").
    pub primary: (Loc, String),
    /// Further spans: what was expected, what an item should match.
    pub secondary: Vec<(Loc, String)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: Code, loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            primary: (loc, message.into()),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn error(code: Code, loc: Loc, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, loc, message)
    }

    pub fn with_secondary(mut self, loc: Loc, message: impl Into<String>) -> Self {
        self.secondary.push((loc, message.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity >= Severity::NonBlockingError
    }

    /// The primary message followed by the secondary ones, e.g.
    /// `Unexpected 'x'. Expected ';'`.
    pub fn message(&self) -> String {
        let mut s = self.primary.1.clone();
        for (_, m) in &self.secondary {
            s.push_str(". ");
            s.push_str(m);
        }
        s
    }

    /// The 1-based line and column of the primary span's start in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col(source, self.primary.0.start as usize)
    }

    /// Renders the diagnostic against its source: headline, `file:line:column`, the source line
    /// with carets under the span, and the other labels.
    pub fn render(&self, file_name: &str, source: &str, color: bool) -> String {
        let mut files = SimpleFiles::new();
        let id = files.add(file_name, source);
        let clamp = |loc: Loc| {
            let len = source.len();
            let start = (loc.start as usize).min(len);
            let end = (loc.end as usize).clamp(start, len);
            start..end
        };
        let mut labels =
            vec![Label::primary(id, clamp(self.primary.0)).with_message(&self.primary.1)];
        for (loc, msg) in &self.secondary {
            labels.push(Label::secondary(id, clamp(*loc)).with_message(msg));
        }
        let severity = match self.severity {
            Severity::Warning => CsSeverity::Warning,
            Severity::NonBlockingError | Severity::Error => CsSeverity::Error,
        };
        let diag = CsDiagnostic::new(severity)
            .with_message(self.code.headline())
            .with_labels(labels)
            .with_notes(self.notes.clone());
        let mut out = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        let config = term::Config::default();
        match term::emit(&mut out, &config, &files, &diag) {
            Ok(()) => String::from_utf8_lossy(out.as_slice()).into_owned(),
            // Rendering only fails on spans outside the file, which `clamp` rules out; fall back
            // to a plain line rather than losing the message.
            Err(_) => {
                let (line, col) = self.line_col(source);
                format!("{file_name}:{line}:{col}: {}\n", self.message())
            }
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.headline(), self.message())
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.as_bytes().get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The span used for diagnostics about a whole file.
pub fn file_start(file: FileId) -> Loc {
    Loc::new(file, 0, 0)
}
