//! The lexer: turns Move source text into tokens (kind and byte span) on demand, collecting
//! documentation comments on the way. Hand-written over bytes, no allocation per token.
//!
//! Token rules follow the reference compiler: whitespace is space, tab, `\n` and `\r\n`; line
//! comments `//`, nestable block comments `/* */`; `///` and `/**` (but not `////`, `/***`) are
//! documentation comments; `&mut` is one token only when a space follows it; numbers are decimal or
//! `0x` hex with `_` separators and an optional `u8`..`u256` suffix; `b"..."` and `x"..."` end on
//! the same line. A lexical error is reported when the parser reaches it.

use std::fmt;

use super::ast::{FileId, Loc};
use super::diagnostics::{Code, Diagnostic};

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tok {
    EOF,
    NumValue,
    NumTypedValue,
    ByteStringValue,
    Identifier,
    Exclaim,
    ExclaimEqual,
    Percent,
    Amp,
    AmpAmp,
    AmpMut,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Star,
    Plus,
    Comma,
    Minus,
    Period,
    PeriodPeriod,
    Slash,
    Colon,
    ColonColon,
    Semicolon,
    Less,
    LessEqual,
    LessLess,
    Equal,
    EqualEqual,
    EqualEqualGreater,
    LessEqualEqualGreater,
    Greater,
    GreaterEqual,
    GreaterGreater,
    Caret,
    Abort,
    Acquires,
    As,
    Break,
    Continue,
    Copy,
    Else,
    False,
    If,
    Invariant,
    Let,
    Loop,
    Module,
    Move,
    Native,
    Public,
    Return,
    Spec,
    Struct,
    True,
    Use,
    While,
    LBrace,
    Pipe,
    PipePipe,
    RBrace,
    Fun,
    Script,
    Const,
    Friend,
    NumSign,
    AtSign,
    Inline,
}

impl Tok {
    pub fn as_str(self) -> &'static str {
        use Tok::*;
        match self {
            EOF => "[end-of-file]",
            NumValue => "[Num]",
            NumTypedValue => "[NumTyped]",
            ByteStringValue => "[ByteString]",
            Identifier => "[Identifier]",
            Exclaim => "!",
            ExclaimEqual => "!=",
            Percent => "%",
            Amp => "&",
            AmpAmp => "&&",
            AmpMut => "&mut",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            Star => "*",
            Plus => "+",
            Comma => ",",
            Minus => "-",
            Period => ".",
            PeriodPeriod => "..",
            Slash => "/",
            Colon => ":",
            ColonColon => "::",
            Semicolon => ";",
            Less => "<",
            LessEqual => "<=",
            LessLess => "<<",
            Equal => "=",
            EqualEqual => "==",
            EqualEqualGreater => "==>",
            LessEqualEqualGreater => "<==>",
            Greater => ">",
            GreaterEqual => ">=",
            GreaterGreater => ">>",
            Caret => "^",
            Abort => "abort",
            Acquires => "acquires",
            As => "as",
            Break => "break",
            Continue => "continue",
            Copy => "copy",
            Else => "else",
            False => "false",
            If => "if",
            Invariant => "invariant",
            Let => "let",
            Loop => "loop",
            Module => "module",
            Move => "move",
            Native => "native",
            Public => "public",
            Return => "return",
            Spec => "spec",
            Struct => "struct",
            True => "true",
            Use => "use",
            While => "while",
            LBrace => "{",
            Pipe => "|",
            PipePipe => "||",
            RBrace => "}",
            Fun => "fun",
            Script => "script",
            Const => "const",
            Friend => "friend",
            NumSign => "#",
            AtSign => "@",
            Inline => "inline",
        }
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A documentation comment: the span of the whole comment and of its text (without `///` or
/// `/**` and `*/`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DocComment {
    pub start: u32,
    pub end: u32,
    pub text_start: u32,
    pub text_end: u32,
}

/// A cursor over the tokens of one file. Tokens are lexed on demand from the end of the current
/// one, so that the parser can shorten a token (`>>` to `>` in `A<B<C>>`) and lexing resumes
/// right after the shortened token, and so that a lexical error is reported when the parser
/// reaches it.
pub struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    prev_end: usize,
    cur_start: usize,
    cur_end: usize,
    token: Tok,
    /// Documentation comments seen so far, in source order.
    doc_comments: Vec<DocComment>,
    /// Offset up to which trivia has been scanned for documentation comments.
    docs_scanned: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(file: FileId, text: &'a str) -> Self {
        Lexer {
            file,
            text,
            prev_end: 0,
            cur_start: 0,
            cur_end: 0,
            token: Tok::EOF,
            doc_comments: Vec::new(),
            docs_scanned: 0,
        }
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The current token.
    pub fn peek(&self) -> Tok {
        self.token
    }

    /// The text of the current token.
    pub fn content(&self) -> &'a str {
        self.text.get(self.cur_start..self.cur_end).unwrap_or("")
    }

    pub fn start_loc(&self) -> usize {
        self.cur_start
    }

    pub fn end_loc(&self) -> usize {
        self.cur_end
    }

    /// The end of the token before the current one.
    pub fn previous_end_loc(&self) -> usize {
        self.prev_end
    }

    pub fn doc_comments(&self) -> &[DocComment] {
        &self.doc_comments
    }

    /// Moves to the next token.
    pub fn advance(&mut self) -> Result<(), Box<Diagnostic>> {
        self.prev_end = self.cur_end;
        let collect = self.cur_end >= self.docs_scanned;
        let mut found = Vec::new();
        let start = skip_trivia(self.file, self.text.as_bytes(), self.cur_end, &mut found)
            .map_err(Box::new)?;
        if collect {
            self.doc_comments.extend(found);
            self.docs_scanned = start;
        }
        let (tok, len) = next_token(self.file, self.text, start).map_err(Box::new)?;
        self.cur_start = start;
        self.cur_end = start + len;
        self.token = tok;
        Ok(())
    }

    /// The token after the current one and its start, without moving.
    pub fn lookahead_with_start(&self) -> Result<(Tok, usize), Box<Diagnostic>> {
        let bytes = self.text.as_bytes();
        let start =
            skip_trivia(self.file, bytes, self.cur_end, &mut Vec::new()).map_err(Box::new)?;
        let (tok, _) = next_token(self.file, self.text, start).map_err(Box::new)?;
        Ok((tok, start))
    }

    /// The token after the current one, without moving.
    pub fn lookahead(&self) -> Result<Tok, Box<Diagnostic>> {
        Ok(self.lookahead_with_start()?.0)
    }

    /// The two tokens after the current one, without moving.
    pub fn lookahead2(&self) -> Result<(Tok, Tok), Box<Diagnostic>> {
        let bytes = self.text.as_bytes();
        let start =
            skip_trivia(self.file, bytes, self.cur_end, &mut Vec::new()).map_err(Box::new)?;
        let (first, len) = next_token(self.file, self.text, start).map_err(Box::new)?;
        let start2 =
            skip_trivia(self.file, bytes, start + len, &mut Vec::new()).map_err(Box::new)?;
        let (second, _) = next_token(self.file, self.text, start2).map_err(Box::new)?;
        Ok((first, second))
    }

    /// Replaces the current token by a shorter one starting at the same place (`>` for `>>`);
    /// lexing resumes after it.
    pub fn replace_token(&mut self, token: Tok, len: usize) {
        self.token = token;
        self.cur_end = self.cur_start + len;
    }
}

/// Skips whitespace and comments from `pos`; returns the offset of the next token.
fn skip_trivia(
    file: FileId,
    bytes: &[u8],
    mut pos: usize,
    docs: &mut Vec<DocComment>,
) -> Result<usize, Diagnostic> {
    loop {
        match bytes.get(pos) {
            Some(b' ' | b'\t' | b'\n') => pos += 1,
            Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => pos += 2,
            Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => {
                let start = pos;
                let is_doc = bytes.get(pos + 2) == Some(&b'/') && bytes.get(pos + 3) != Some(&b'/');
                let line_end = memchr_newline(bytes, pos);
                if is_doc {
                    let mut text_end = line_end;
                    while text_end > start + 3 && bytes[text_end - 1] == b'\r' {
                        text_end -= 1;
                    }
                    docs.push(DocComment {
                        start: start as u32,
                        end: line_end as u32,
                        text_start: (start + 3) as u32,
                        text_end: text_end as u32,
                    });
                }
                pos = line_end;
            }
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                pos = skip_block_comment(file, bytes, pos, docs)?;
            }
            _ => return Ok(pos),
        }
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |p| from + p)
}

/// Skips a (possibly nested) block comment starting at `start` (which holds `/*`).
fn skip_block_comment(
    file: FileId,
    bytes: &[u8],
    start: usize,
    docs: &mut Vec<DocComment>,
) -> Result<usize, Diagnostic> {
    // Open comments: start offset and whether it is a documentation comment.
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut pos = start;
    loop {
        match (bytes.get(pos), bytes.get(pos + 1)) {
            (None, _) => {
                let (at, is_doc) = open.last().copied().unwrap_or((start, false));
                let width = if is_doc { 3 } else { 2 };
                return Err(Diagnostic::error(
                    Code::InvalidDocComment,
                    Loc::new(file, at as u32, (at + width) as u32),
                    "Unclosed block comment",
                ));
            }
            (Some(b'/'), Some(b'*')) => {
                // `/**` opens a documentation comment unless it is `/***`, `/**/` or nested.
                let is_doc = open.is_empty()
                    && bytes.get(pos + 2) == Some(&b'*')
                    && !matches!(bytes.get(pos + 3), Some(b'*' | b'/'));
                open.push((pos, is_doc));
                pos += 2;
            }
            (Some(b'*'), Some(b'/')) => {
                pos += 2;
                if let Some((at, is_doc)) = open.pop() {
                    if is_doc {
                        docs.push(DocComment {
                            start: at as u32,
                            end: pos as u32,
                            text_start: (at + 3) as u32,
                            text_end: (pos - 2) as u32,
                        });
                    }
                }
                if open.is_empty() {
                    return Ok(pos);
                }
            }
            _ => pos += 1,
        }
    }
}

/// Lexes the token at `pos` (not whitespace, not end of input); returns its kind and length.
fn next_token(file: FileId, text: &str, pos: usize) -> Result<(Tok, usize), Diagnostic> {
    let bytes = text.as_bytes();
    let rest = match bytes.get(pos..) {
        Some(rest) if !rest.is_empty() => rest,
        _ => return Ok((Tok::EOF, 0)),
    };
    let at = |i: usize| rest.get(i).copied().unwrap_or(0);
    let c = at(0);
    let tok = match c {
        b'0'..=b'9' => {
            if c == b'0' && at(1) == b'x' && rest.len() > 2 {
                let digits = rest[2..]
                    .iter()
                    .position(|b| !(b.is_ascii_hexdigit() || *b == b'_'))
                    .unwrap_or(rest.len() - 2);
                if digits == 0 {
                    (Tok::NumValue, 1)
                } else {
                    let (tok, len) = number_suffix(&rest[2..], digits);
                    (tok, 2 + len)
                }
            } else {
                let digits = rest
                    .iter()
                    .position(|b| !(b.is_ascii_digit() || *b == b'_'))
                    .unwrap_or(rest.len());
                number_suffix(rest, digits)
            }
        }
        b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
            if (c == b'x' || c == b'b') && at(1) == b'"' {
                match string_len(&rest[2..]) {
                    Some(len) => (Tok::ByteStringValue, 2 + len + 1),
                    None => {
                        let line = memchr_newline(rest, 0);
                        let code = if c == b'x' {
                            Code::InvalidHexString
                        } else {
                            Code::InvalidByteString
                        };
                        return Err(Diagnostic::error(
                            code,
                            Loc::new(file, pos as u32, (pos + line) as u32),
                            "Missing closing quote (\") after byte string",
                        ));
                    }
                }
            } else {
                let len = rest
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .unwrap_or(rest.len());
                (keyword(&rest[..len]), len)
            }
        }
        b'&' => {
            if rest.starts_with(b"&mut ") {
                (Tok::AmpMut, 5)
            } else if at(1) == b'&' {
                (Tok::AmpAmp, 2)
            } else {
                (Tok::Amp, 1)
            }
        }
        b'|' => {
            if at(1) == b'|' {
                (Tok::PipePipe, 2)
            } else {
                (Tok::Pipe, 1)
            }
        }
        b'=' => {
            if rest.starts_with(b"==>") {
                (Tok::EqualEqualGreater, 3)
            } else if at(1) == b'=' {
                (Tok::EqualEqual, 2)
            } else {
                (Tok::Equal, 1)
            }
        }
        b'!' => {
            if at(1) == b'=' {
                (Tok::ExclaimEqual, 2)
            } else {
                (Tok::Exclaim, 1)
            }
        }
        b'<' => {
            if rest.starts_with(b"<==>") {
                (Tok::LessEqualEqualGreater, 4)
            } else if at(1) == b'=' {
                (Tok::LessEqual, 2)
            } else if at(1) == b'<' {
                (Tok::LessLess, 2)
            } else {
                (Tok::Less, 1)
            }
        }
        b'>' => {
            if at(1) == b'=' {
                (Tok::GreaterEqual, 2)
            } else if at(1) == b'>' {
                (Tok::GreaterGreater, 2)
            } else {
                (Tok::Greater, 1)
            }
        }
        b':' => {
            if at(1) == b':' {
                (Tok::ColonColon, 2)
            } else {
                (Tok::Colon, 1)
            }
        }
        b'.' => {
            if at(1) == b'.' {
                (Tok::PeriodPeriod, 2)
            } else {
                (Tok::Period, 1)
            }
        }
        b'%' => (Tok::Percent, 1),
        b'(' => (Tok::LParen, 1),
        b')' => (Tok::RParen, 1),
        b'[' => (Tok::LBracket, 1),
        b']' => (Tok::RBracket, 1),
        b'*' => (Tok::Star, 1),
        b'+' => (Tok::Plus, 1),
        b',' => (Tok::Comma, 1),
        b'-' => (Tok::Minus, 1),
        b'/' => (Tok::Slash, 1),
        b';' => (Tok::Semicolon, 1),
        b'^' => (Tok::Caret, 1),
        b'{' => (Tok::LBrace, 1),
        b'}' => (Tok::RBrace, 1),
        b'#' => (Tok::NumSign, 1),
        b'@' => (Tok::AtSign, 1),
        _ => {
            let ch = text[pos..].chars().next().unwrap_or('\u{fffd}');
            let width = ch.len_utf8();
            return Err(Diagnostic::error(
                Code::InvalidCharacter,
                Loc::new(file, pos as u32, (pos + width) as u32),
                format!("Invalid character: '{}'", ch.escape_debug()),
            ));
        }
    };
    Ok(tok)
}

/// The token kind and length of a number whose digits take `digits` bytes of `text`, with an
/// optional type suffix.
fn number_suffix(text: &[u8], digits: usize) -> (Tok, usize) {
    let rest = &text[digits..];
    if rest.starts_with(b"u8") {
        (Tok::NumTypedValue, digits + 2)
    } else if rest.starts_with(b"u16") || rest.starts_with(b"u32") || rest.starts_with(b"u64") {
        (Tok::NumTypedValue, digits + 3)
    } else if rest.starts_with(b"u128") || rest.starts_with(b"u256") {
        (Tok::NumTypedValue, digits + 4)
    } else {
        (Tok::NumValue, digits)
    }
}

/// The offset of the closing quote of a byte string whose text starts `text`, on the same line;
/// a backslash escapes the next character.
fn string_len(text: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'\n' => return None,
            b'\r' if text.get(i + 1) == Some(&b'\n') => return None,
            b'\\' => {
                if matches!(text.get(i + 1), None | Some(b'\n')) {
                    return None;
                }
                i += 2;
            }
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn keyword(name: &[u8]) -> Tok {
    match name {
        b"abort" => Tok::Abort,
        b"acquires" => Tok::Acquires,
        b"as" => Tok::As,
        b"break" => Tok::Break,
        b"const" => Tok::Const,
        b"continue" => Tok::Continue,
        b"copy" => Tok::Copy,
        b"else" => Tok::Else,
        b"false" => Tok::False,
        b"fun" => Tok::Fun,
        b"friend" => Tok::Friend,
        b"if" => Tok::If,
        b"invariant" => Tok::Invariant,
        b"let" => Tok::Let,
        b"loop" => Tok::Loop,
        b"inline" => Tok::Inline,
        b"module" => Tok::Module,
        b"move" => Tok::Move,
        b"native" => Tok::Native,
        b"public" => Tok::Public,
        b"return" => Tok::Return,
        b"script" => Tok::Script,
        b"spec" => Tok::Spec,
        b"struct" => Tok::Struct,
        b"true" => Tok::True,
        b"use" => Tok::Use,
        b"while" => Tok::While,
        _ => Tok::Identifier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> (Vec<Tok>, Lexer<'_>, bool) {
        let mut lexer = Lexer::new(FileId(0), src);
        let mut kinds = Vec::new();
        let mut failed = false;
        loop {
            if lexer.advance().is_err() {
                failed = true;
                break;
            }
            kinds.push(lexer.peek());
            if lexer.peek() == Tok::EOF {
                break;
            }
        }
        (kinds, lexer, failed)
    }

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).0
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            kinds("<==> ==> == = >> >= .. . :: &&"),
            vec![
                Tok::LessEqualEqualGreater,
                Tok::EqualEqualGreater,
                Tok::EqualEqual,
                Tok::Equal,
                Tok::GreaterGreater,
                Tok::GreaterEqual,
                Tok::PeriodPeriod,
                Tok::Period,
                Tok::ColonColon,
                Tok::AmpAmp,
                Tok::EOF
            ]
        );
    }

    #[test]
    fn amp_mut_needs_a_space() {
        assert_eq!(
            kinds("&mut x"),
            vec![Tok::AmpMut, Tok::Identifier, Tok::EOF]
        );
        assert_eq!(
            kinds("&mut\tx"),
            vec![Tok::Amp, Tok::Identifier, Tok::Identifier, Tok::EOF]
        );
    }

    #[test]
    fn numbers_and_suffixes() {
        assert_eq!(
            kinds("1_000u64 0x1F 0xu8 7u256 3"),
            vec![
                Tok::NumTypedValue,
                Tok::NumValue,
                Tok::NumValue,
                Tok::Identifier,
                Tok::NumTypedValue,
                Tok::NumValue,
                Tok::EOF,
            ]
        );
    }

    #[test]
    fn doc_comments_are_collected_once() {
        let src = "/// a\n//// not\n/** b */ /*** not */ /* /** nested */ */ x /**/ y";
        let (k, lexer, _) = lex(src);
        let texts: Vec<&str> = lexer
            .doc_comments()
            .iter()
            .map(|d| &src[d.text_start as usize..d.text_end as usize])
            .collect();
        assert_eq!(texts, vec![" a", " b "]);
        assert_eq!(k.len(), 3);
    }

    #[test]
    fn shortened_token_relexes() {
        let mut lexer = Lexer::new(FileId(0), "a>>=b");
        lexer.advance().unwrap();
        lexer.advance().unwrap();
        assert_eq!(lexer.peek(), Tok::GreaterGreater);
        lexer.replace_token(Tok::Greater, 1);
        lexer.advance().unwrap();
        assert_eq!(lexer.peek(), Tok::GreaterEqual);
    }

    #[test]
    fn unclosed_comment_and_string_are_errors() {
        assert!(lex("x /* a /* b */").2);
        assert!(lex("b\"abc\nd\"").2);
        assert!(lex("x $").2);
    }
}
