//! The parser: a hand-written recursive-descent parser over [`Lexer`] that builds the
//! [`ast`](super::ast) of one file. It accepts the language of the reference Move compiler (v1),
//! specification language included, with the same operator precedence, the same token-level
//! disambiguations (`<` after a name is a type-argument list only without space before it, `>>`
//! split inside type arguments, quantifier lookahead) and the same first error for broken input.
//! It stops at the first blocking error; non-blocking problems (duplicate modifiers, invalid
//! modifiers, address literals out of range) are collected and parsing goes on. Nesting depth is
//! bounded so that hostile input cannot overflow the stack.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::ast::*;
use super::diagnostics::{Code, Diagnostic, Severity};
use super::lexer::{Lexer, Tok};

type PResult<T> = Result<T, Box<Diagnostic>>;

/// How deeply expressions, types, patterns and blocks may nest before parsing gives up.
pub const MAX_NESTING_DEPTH: usize = 256;

const ENTRY_MODIFIER: &str = "entry";

/// The outcome of parsing one file.
#[derive(Debug)]
pub struct ParseOutput {
    /// The tree, unless a blocking error stopped parsing.
    pub file: Option<SourceFile>,
    /// Every diagnostic, warnings included, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseOutput {
    /// Whether any error (blocking or not) was reported.
    pub fn has_errors(&self) -> bool {
        self.file.is_none() || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses `text` as the Move source file `file`.
pub fn parse_file(file: FileId, text: &str) -> ParseOutput {
    if text.len() >= u32::MAX as usize {
        let diag = Diagnostic::error(
            Code::InvalidCharacter,
            Loc::new(file, 0, 0),
            "File too large: source files must be smaller than 4 GiB",
        );
        return ParseOutput {
            file: None,
            diagnostics: vec![diag],
        };
    }
    let mut p = Parser {
        tokens: Lexer::new(file, text),
        diags: Vec::new(),
        doc_cursor: 0,
        doc_used: Vec::new(),
        matched_docs: BTreeMap::new(),
        depth: 0,
        symbols: HashMap::default(),
    };
    let result = p.tokens.advance().and_then(|()| p.parse_definitions());
    match result {
        Ok(definitions) => {
            let doc_comments = p.finish_doc_comments();
            let mut diagnostics = p.diags;
            diagnostics.extend(doc_comments.1);
            ParseOutput {
                file: Some(SourceFile {
                    file,
                    definitions,
                    doc_comments: doc_comments.0,
                }),
                diagnostics,
            }
        }
        Err(diag) => {
            let mut diagnostics = p.diags;
            diagnostics.push(*diag);
            ParseOutput {
                file: None,
                diagnostics,
            }
        }
    }
}

struct Parser<'a> {
    tokens: Lexer<'a>,
    diags: Vec<Diagnostic>,
    /// Index of the first documentation comment not yet considered for matching.
    doc_cursor: usize,
    /// For each documentation comment considered so far: whether it was matched to an item.
    doc_used: Vec<bool>,
    matched_docs: BTreeMap<u32, String>,
    depth: usize,
    /// One `Symbol` per distinct identifier or number text: sources repeat both a lot.
    symbols: HashMap<&'a str, Symbol, BuildHasherDefault<FnvHasher>>,
}

/// FNV-1a: a fast hash for the short strings the interner sees.
#[derive(Default)]
struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

struct Modifiers {
    visibility: Option<Visibility>,
    entry: Option<Loc>,
    native: Option<Loc>,
}

impl Modifiers {
    fn empty() -> Self {
        Modifiers {
            visibility: None,
            entry: None,
            native: None,
        }
    }
}

fn visibility_loc(v: &Visibility) -> Option<Loc> {
    match v {
        Visibility::Public(l) | Visibility::Script(l) | Visibility::Friend(l) => Some(*l),
        Visibility::Internal => None,
    }
}

impl<'a> Parser<'a> {
    // -----------------------------------------------------------------------------------------
    // Token helpers

    fn file(&self) -> FileId {
        self.tokens.file()
    }

    fn peek(&self) -> Tok {
        self.tokens.peek()
    }

    fn content(&self) -> &'a str {
        self.tokens.content()
    }

    fn start(&self) -> usize {
        self.tokens.start_loc()
    }

    fn prev_end(&self) -> usize {
        self.tokens.previous_end_loc()
    }

    fn loc(&self, start: usize, end: usize) -> Loc {
        Loc::new(self.file(), start as u32, end as u32)
    }

    fn spanned<T>(&self, start: usize, value: T) -> Spanned<T> {
        Spanned::new(self.loc(start, self.prev_end()), value)
    }

    fn current_loc(&self) -> Loc {
        self.loc(self.start(), self.tokens.end_loc())
    }

    fn is_ident(&self, name: &str) -> bool {
        self.peek() == Tok::Identifier && self.content() == name
    }

    fn advance(&mut self) -> PResult<()> {
        self.tokens.advance()
    }

    fn intern(&mut self, text: &'a str) -> Symbol {
        self.symbols
            .entry(text)
            .or_insert_with(|| Symbol::from(text))
            .clone()
    }

    fn match_token(&mut self, tok: Tok) -> PResult<bool> {
        if self.peek() == tok {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn consume(&mut self, tok: Tok) -> PResult<()> {
        let start = self.start();
        self.consume_(tok, start, "")
    }

    fn consume_(&mut self, tok: Tok, expected_start: usize, case: &str) -> PResult<()> {
        if self.peek() == tok {
            self.advance()
        } else {
            Err(self.unexpected_(expected_start, &format!("'{tok}'{case}")))
        }
    }

    fn consume_identifier(&mut self, value: &str) -> PResult<()> {
        if self.is_ident(value) {
            self.advance()
        } else {
            Err(self.unexpected(&format!("'{value}'")))
        }
    }

    fn consume_optional_with_loc(&mut self, tok: Tok) -> PResult<Option<Loc>> {
        if self.peek() == tok {
            let start = self.start();
            self.advance()?;
            Ok(Some(self.loc(start, self.prev_end())))
        } else {
            Ok(None)
        }
    }

    fn current_token_description(&self) -> String {
        if self.peek() == Tok::EOF {
            "end-of-file".to_string()
        } else {
            format!("'{}'", self.content())
        }
    }

    fn unexpected(&self, expected: &str) -> Box<Diagnostic> {
        self.unexpected_(self.start(), expected)
    }

    fn unexpected_(&self, expected_start: usize, expected: &str) -> Box<Diagnostic> {
        let unexpected_loc = self.current_loc();
        let expected_loc = if expected_start < self.start() {
            self.loc(expected_start, self.prev_end())
        } else {
            unexpected_loc
        };
        Box::new(
            Diagnostic::error(
                Code::UnexpectedToken,
                unexpected_loc,
                format!("Unexpected {}", self.current_token_description()),
            )
            .with_secondary(expected_loc, format!("Expected {expected}")),
        )
    }

    fn add_diag(&mut self, severity: Severity, code: Code, loc: Loc, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(severity, code, loc, msg));
    }

    /// Counts one level of nesting; fails beyond [`MAX_NESTING_DEPTH`].
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return Err(Box::new(Diagnostic::error(
                Code::TooDeeplyNested,
                self.current_loc(),
                format!("Nesting too deep: more than {MAX_NESTING_DEPTH} levels of expressions, types or patterns"),
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Inside a `>`-terminated list, reads `>>` as two `>`.
    fn adjust_token(&mut self, end: Tok) {
        if end == Tok::Greater && self.peek() == Tok::GreaterGreater {
            self.tokens.replace_token(Tok::Greater, 1);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Documentation comments

    /// Attaches the documentation comments between the previous token and the current one to
    /// the item starting at the current token.
    fn match_doc_comments(&mut self) {
        let from = self.prev_end() as u32;
        let to = self.start() as u32;
        let docs = self.tokens.doc_comments();
        let text = self.tokens.text();
        let mut merged: Option<String> = None;
        while let Some(doc) = docs.get(self.doc_cursor) {
            if doc.start >= to {
                break;
            }
            let used = doc.start >= from;
            if used {
                let piece = text
                    .get(doc.text_start as usize..doc.text_end as usize)
                    .unwrap_or("");
                match &mut merged {
                    Some(m) => {
                        m.push('\n');
                        m.push_str(piece);
                    }
                    None => merged = Some(piece.to_string()),
                }
            }
            self.doc_used.push(used);
            self.doc_cursor += 1;
        }
        if let Some(m) = merged {
            self.matched_docs.insert(to, m);
        }
    }

    /// The matched comments, and a warning for each comment that precedes no item.
    fn finish_doc_comments(&mut self) -> (BTreeMap<u32, String>, Vec<Diagnostic>) {
        let docs = self.tokens.doc_comments();
        let mut warnings = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            if !self.doc_used.get(i).copied().unwrap_or(false) {
                warnings.push(Diagnostic::new(
                    Severity::Warning,
                    Code::InvalidDocComment,
                    Loc::new(self.file(), doc.start, doc.end),
                    "Documentation comment cannot be matched to a language item",
                ));
            }
        }
        (std::mem::take(&mut self.matched_docs), warnings)
    }

    // -----------------------------------------------------------------------------------------
    // Lists

    fn parse_comma_list<R>(
        &mut self,
        start_tok: Tok,
        end_tok: Tok,
        item: fn(&mut Self) -> PResult<R>,
        what: &str,
    ) -> PResult<Vec<R>> {
        let start = self.start();
        self.consume(start_tok)?;
        self.parse_comma_list_after_start(start, start_tok, end_tok, item, what)
    }

    fn parse_comma_list_after_start<R>(
        &mut self,
        start: usize,
        start_tok: Tok,
        end_tok: Tok,
        item: fn(&mut Self) -> PResult<R>,
        what: &str,
    ) -> PResult<Vec<R>> {
        self.adjust_token(end_tok);
        if self.match_token(end_tok)? {
            return Ok(vec![]);
        }
        let mut v = vec![];
        loop {
            if self.peek() == Tok::Comma {
                let here = self.start();
                return Err(Box::new(Diagnostic::error(
                    Code::UnexpectedToken,
                    self.loc(here, here),
                    format!("Expected {what}"),
                )));
            }
            v.push(item(self)?);
            self.adjust_token(end_tok);
            if self.match_token(end_tok)? {
                return Ok(v);
            }
            if !self.match_token(Tok::Comma)? {
                let here = self.start();
                return Err(Box::new(
                    Diagnostic::error(
                        Code::UnexpectedToken,
                        self.loc(here, here),
                        format!("Expected '{end_tok}'"),
                    )
                    .with_secondary(
                        self.loc(start, start),
                        format!("To match this '{start_tok}'"),
                    ),
                ));
            }
            self.adjust_token(end_tok);
            if self.match_token(end_tok)? {
                return Ok(v);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Identifiers, addresses, names

    fn parse_identifier(&mut self) -> PResult<Name> {
        if self.peek() != Tok::Identifier {
            return Err(self.unexpected("an identifier"));
        }
        let start = self.start();
        let id = self.intern(self.content());
        self.advance()?;
        Ok(self.spanned(start, id))
    }

    fn parse_address_bytes(&mut self) -> PResult<Spanned<NumericalAddress>> {
        let loc = self.current_loc();
        let text = self.content();
        let parsed = parse_address_literal(text);
        self.consume(Tok::NumValue)?;
        let bytes = match parsed {
            Some(b) => b,
            None => {
                self.add_diag(
                    Severity::NonBlockingError,
                    Code::InvalidAddress,
                    loc,
                    "Invalid address literal. The numeric value is too large. The maximum size is 32 bytes",
                );
                [0u8; 32]
            }
        };
        Ok(Spanned::new(
            loc,
            NumericalAddress {
                bytes,
                text: Symbol::from(text),
            },
        ))
    }

    fn parse_leading_name_access(&mut self) -> PResult<LeadingNameAccess> {
        self.parse_leading_name_access_("an address or an identifier")
    }

    fn parse_leading_name_access_(&mut self, what: &str) -> PResult<LeadingNameAccess> {
        match self.peek() {
            Tok::Identifier => {
                let n = self.parse_identifier()?;
                Ok(Spanned::new(n.loc, LeadingNameAccess_::Name(n)))
            }
            Tok::NumValue => {
                let a = self.parse_address_bytes()?;
                Ok(Spanned::new(
                    a.loc,
                    LeadingNameAccess_::AnonymousAddress(Box::new(a.value)),
                ))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn parse_module_ident(&mut self) -> PResult<ModuleIdent> {
        let start = self.start();
        let address = self.parse_leading_name_access()?;
        self.consume_(
            Tok::ColonColon,
            start,
            " after an address in a module identifier",
        )?;
        let module = self.parse_identifier()?;
        Ok(self.spanned(start, ModuleIdent_ { address, module }))
    }

    fn parse_name_access_chain(&mut self, what: &str) -> PResult<NameAccessChain> {
        let start = self.start();
        let ln = self.parse_leading_name_access_(what)?;
        if let LeadingNameAccess_::Name(n) = &ln.value {
            if self.peek() != Tok::ColonColon {
                let n = n.clone();
                return Ok(self.spanned(start, NameAccessChain_::One(n)));
            }
        }
        self.consume_(
            Tok::ColonColon,
            start,
            " after an address in a module access chain",
        )?;
        let n2 = self.parse_identifier()?;
        if self.peek() != Tok::ColonColon {
            return Ok(self.spanned(start, NameAccessChain_::Two(ln, n2)));
        }
        let first = self.spanned(start, (ln, n2));
        self.consume(Tok::ColonColon)?;
        let n3 = self.parse_identifier()?;
        Ok(self.spanned(start, NameAccessChain_::Three(first, n3)))
    }

    // -----------------------------------------------------------------------------------------
    // Modifiers and attributes

    fn parse_module_member_modifiers(&mut self) -> PResult<Modifiers> {
        let mut mods = Modifiers::empty();
        loop {
            match self.peek() {
                Tok::Public => {
                    let vis = self.parse_visibility()?;
                    if let Some(prev) = &mods.visibility {
                        let loc = visibility_loc(&vis).unwrap_or_default();
                        let prev_loc = visibility_loc(prev).unwrap_or_default();
                        self.diags.push(
                            Diagnostic::new(
                                Severity::NonBlockingError,
                                Code::DuplicateItem,
                                loc,
                                "Duplicate visibility modifier",
                            )
                            .with_secondary(prev_loc, "Visibility modifier previously given here"),
                        );
                    }
                    mods.visibility = Some(vis);
                }
                Tok::Native => {
                    let loc = self.current_loc();
                    self.advance()?;
                    if let Some(prev) = mods.native {
                        self.diags.push(
                            Diagnostic::new(
                                Severity::NonBlockingError,
                                Code::DuplicateItem,
                                loc,
                                "Duplicate 'native' modifier",
                            )
                            .with_secondary(prev, "'native' modifier previously given here"),
                        );
                    }
                    mods.native = Some(loc);
                }
                Tok::Identifier if self.content() == ENTRY_MODIFIER => {
                    let loc = self.current_loc();
                    self.advance()?;
                    if let Some(prev) = mods.entry {
                        self.diags.push(
                            Diagnostic::new(
                                Severity::NonBlockingError,
                                Code::DuplicateItem,
                                loc,
                                "Duplicate 'entry' modifier",
                            )
                            .with_secondary(prev, "'entry' modifier previously given here"),
                        );
                    }
                    mods.entry = Some(loc);
                }
                _ => return Ok(mods),
            }
        }
    }

    fn parse_visibility(&mut self) -> PResult<Visibility> {
        let start = self.start();
        self.consume(Tok::Public)?;
        let sub = if self.match_token(Tok::LParen)? {
            let sub = self.peek();
            self.advance()?;
            if sub != Tok::RParen {
                self.consume(Tok::RParen)?;
            }
            Some(sub)
        } else {
            None
        };
        let loc = self.loc(start, self.prev_end());
        match sub {
            None => Ok(Visibility::Public(loc)),
            Some(Tok::Script) => Ok(Visibility::Script(loc)),
            Some(Tok::Friend) => Ok(Visibility::Friend(loc)),
            _ => Err(Box::new(Diagnostic::error(
                Code::UnexpectedToken,
                loc,
                "Invalid visibility modifier. Consider removing it or using 'public' or 'public(friend)'",
            ))),
        }
    }

    fn parse_attribute_value(&mut self) -> PResult<AttributeValue> {
        if let Some(v) = self.maybe_parse_value()? {
            return Ok(Spanned::new(v.loc, AttributeValue_::Value(v)));
        }
        let ma = self.parse_name_access_chain("attribute name value")?;
        Ok(Spanned::new(ma.loc, AttributeValue_::ModuleAccess(ma)))
    }

    fn parse_attribute(&mut self) -> PResult<Attribute> {
        self.enter()?;
        let start = self.start();
        let n = self.parse_identifier()?;
        let attr = match self.peek() {
            Tok::Equal => {
                self.advance()?;
                Attribute_::Assigned(n, Box::new(self.parse_attribute_value()?))
            }
            Tok::LParen => {
                let args = self.parse_comma_list(
                    Tok::LParen,
                    Tok::RParen,
                    Self::parse_attribute,
                    "attribute",
                )?;
                Attribute_::Parameterized(n, self.spanned(start, args))
            }
            _ => Attribute_::Name(n),
        };
        self.leave();
        Ok(self.spanned(start, attr))
    }

    fn parse_attributes(&mut self) -> PResult<Vec<Attributes>> {
        let mut all = vec![];
        while self.peek() == Tok::NumSign {
            let start = self.start();
            self.advance()?;
            let attrs = self.parse_comma_list(
                Tok::LBracket,
                Tok::RBracket,
                Self::parse_attribute,
                "attribute",
            )?;
            all.push(self.spanned(start, attrs));
        }
        Ok(all)
    }

    // -----------------------------------------------------------------------------------------
    // Fields and bindings

    fn parse_exp_field(&mut self) -> PResult<(Name, Exp)> {
        let f = self.parse_identifier()?;
        let arg = if self.match_token(Tok::Colon)? {
            self.parse_exp()?
        } else {
            Spanned::new(
                f.loc,
                Exp_::Name(
                    Box::new(Spanned::new(f.loc, NameAccessChain_::One(f.clone()))),
                    None,
                ),
            )
        };
        Ok((f, arg))
    }

    fn parse_bind_field(&mut self) -> PResult<(Name, Bind)> {
        let f = self.parse_identifier()?;
        let arg = if self.match_token(Tok::Colon)? {
            self.parse_bind()?
        } else {
            Spanned::new(f.loc, Bind_::Var(f.clone()))
        };
        Ok((f, arg))
    }

    fn parse_bind(&mut self) -> PResult<Bind> {
        self.enter()?;
        let r = self.parse_bind_inner();
        self.leave();
        r
    }

    fn parse_bind_inner(&mut self) -> PResult<Bind> {
        let start = self.start();
        if self.peek() == Tok::Identifier {
            let next = self.tokens.lookahead()?;
            if !matches!(next, Tok::LBrace | Tok::Less | Tok::ColonColon) {
                let v = self.parse_identifier()?;
                return Ok(self.spanned(start, Bind_::Var(v)));
            }
        }
        let ty = self.parse_name_access_chain("a variable or struct name")?;
        let ty_args = self.parse_optional_type_args()?;
        let args = self.parse_comma_list(
            Tok::LBrace,
            Tok::RBrace,
            Self::parse_bind_field,
            "a field binding",
        )?;
        Ok(self.spanned(start, Bind_::Unpack(Box::new(ty), ty_args, args)))
    }

    fn parse_bind_list(&mut self) -> PResult<BindList> {
        let start = self.start();
        let b = if self.peek() != Tok::LParen {
            vec![self.parse_bind()?]
        } else {
            self.parse_comma_list(
                Tok::LParen,
                Tok::RParen,
                Self::parse_bind,
                "a variable or structure binding",
            )?
        };
        Ok(self.spanned(start, b))
    }

    fn parse_lambda_bind_list(&mut self) -> PResult<BindList> {
        let start = self.start();
        let b = self.parse_comma_list(
            Tok::Pipe,
            Tok::Pipe,
            Self::parse_bind,
            "a variable or structure binding",
        )?;
        Ok(self.spanned(start, b))
    }

    // -----------------------------------------------------------------------------------------
    // Values

    fn parse_byte_string(&mut self) -> PResult<Value_> {
        if self.peek() != Tok::ByteStringValue {
            return Err(self.unexpected("a byte string value"));
        }
        let s = self.content();
        let inner = Symbol::from(s.get(2..s.len().saturating_sub(1)).unwrap_or(""));
        let v = if s.starts_with('x') {
            Value_::HexString(inner)
        } else {
            Value_::ByteString(inner)
        };
        self.advance()?;
        Ok(v)
    }

    fn maybe_parse_value(&mut self) -> PResult<Option<Value>> {
        let start = self.start();
        let v = match self.peek() {
            Tok::AtSign => {
                self.advance()?;
                Value_::Address(self.parse_leading_name_access()?)
            }
            Tok::True => {
                self.advance()?;
                Value_::Bool(true)
            }
            Tok::False => {
                self.advance()?;
                Value_::Bool(false)
            }
            Tok::NumValue => {
                // A number followed by `::` starts an address access, not a value.
                if let Ok(Tok::ColonColon) = self.tokens.lookahead() {
                    return Ok(None);
                }
                let n = self.intern(self.content());
                self.advance()?;
                Value_::Num(n)
            }
            Tok::NumTypedValue => {
                let n = self.intern(self.content());
                self.advance()?;
                Value_::Num(n)
            }
            Tok::ByteStringValue => self.parse_byte_string()?,
            _ => return Ok(None),
        };
        Ok(Some(self.spanned(start, v)))
    }

    fn parse_value(&mut self) -> PResult<Value> {
        match self.maybe_parse_value()? {
            Some(v) => Ok(v),
            None => Err(self.unexpected("a value")),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Sequences

    fn parse_sequence_item(&mut self) -> PResult<SequenceItem> {
        let start = self.start();
        let item = if self.match_token(Tok::Let)? {
            let b = self.parse_bind_list()?;
            let ty = if self.match_token(Tok::Colon)? {
                Some(self.parse_type()?)
            } else {
                None
            };
            if self.match_token(Tok::Equal)? {
                let e = self.parse_exp()?;
                SequenceItem_::Bind(b, ty, Box::new(e))
            } else {
                SequenceItem_::Declare(b, ty)
            }
        } else {
            SequenceItem_::Seq(Box::new(self.parse_exp()?))
        };
        Ok(self.spanned(start, item))
    }

    /// Parses the inside of a block after `{`, and the closing `}`.
    fn parse_sequence(&mut self) -> PResult<Sequence> {
        self.enter()?;
        let mut uses = vec![];
        while self.peek() == Tok::Use {
            uses.push(self.parse_use_decl(vec![])?);
        }
        let mut items = vec![];
        let mut last_semicolon = None;
        let mut result = None;
        while self.peek() != Tok::RBrace {
            let item = self.parse_sequence_item()?;
            if self.peek() == Tok::RBrace {
                match item.value {
                    SequenceItem_::Seq(e) => {
                        result = Some(Box::new(Spanned::new(item.loc, e.value)));
                    }
                    _ => return Err(self.unexpected("';'")),
                }
                break;
            }
            items.push(item);
            last_semicolon = Some(self.current_loc());
            self.consume(Tok::Semicolon)?;
        }
        self.advance()?; // the closing brace
        self.leave();
        Ok(Sequence {
            uses,
            items,
            last_semicolon,
            result,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn parse_term(&mut self) -> PResult<Exp> {
        let start = self.start();
        let term = match self.peek() {
            Tok::If | Tok::While | Tok::Loop | Tok::Return | Tok::Abort => {
                let (e, ends_in_block) = self.parse_control_exp()?;
                if !ends_in_block || self.at_end_of_exp() {
                    return Ok(e);
                }
                return self.parse_binop_exp(e, 1);
            }
            Tok::Break => {
                self.advance()?;
                if self.at_start_of_exp() {
                    let d = self.unexpected("the end of an expression");
                    return Err(Box::new(
                        d.with_note("'break' with a value is not yet supported"),
                    ));
                }
                Exp_::Break
            }
            Tok::Continue => {
                self.advance()?;
                Exp_::Continue
            }
            Tok::Identifier
                if self.content() == "vector"
                    && matches!(self.tokens.lookahead(), Ok(Tok::Less | Tok::LBracket)) =>
            {
                self.advance()?;
                let vec_loc = self.loc(start, self.prev_end());
                let targs_start = self.start();
                let tys = self
                    .parse_optional_type_args()
                    .map_err(|d| self.type_args_ambiguity(targs_start, d))?;
                let args_start = self.start();
                let args = self.parse_comma_list(
                    Tok::LBracket,
                    Tok::RBracket,
                    Self::parse_exp,
                    "a vector argument expression",
                )?;
                Exp_::Vector(vec_loc, tys, self.spanned(args_start, args))
            }
            Tok::Identifier => self.parse_name_exp()?,
            Tok::NumValue => {
                if self.tokens.lookahead()? == Tok::ColonColon {
                    self.parse_name_exp()?
                } else {
                    Exp_::Value(self.parse_value()?)
                }
            }
            Tok::AtSign | Tok::True | Tok::False | Tok::NumTypedValue | Tok::ByteStringValue => {
                Exp_::Value(self.parse_value()?)
            }
            Tok::LParen => {
                let list_start = self.start();
                self.advance()?;
                if self.match_token(Tok::RParen)? {
                    Exp_::Unit
                } else {
                    let e = self.parse_exp()?;
                    if self.match_token(Tok::Colon)? {
                        let ty = self.parse_type()?;
                        self.consume(Tok::RParen)?;
                        Exp_::Annotate(Box::new(e), ty)
                    } else if self.match_token(Tok::As)? {
                        let ty = self.parse_type()?;
                        self.consume(Tok::RParen)?;
                        Exp_::Cast(Box::new(e), ty)
                    } else {
                        if self.peek() != Tok::RParen {
                            self.consume(Tok::Comma)?;
                        }
                        let mut es = self.parse_comma_list_after_start(
                            list_start,
                            Tok::LParen,
                            Tok::RParen,
                            Self::parse_exp,
                            "an expression",
                        )?;
                        if es.is_empty() {
                            e.value
                        } else {
                            es.insert(0, e);
                            Exp_::ExpList(es)
                        }
                    }
                }
            }
            Tok::LBrace => {
                self.advance()?;
                Exp_::Block(self.parse_sequence()?)
            }
            Tok::Spec => Exp_::Spec(Box::new(self.parse_spec_block(vec![])?)),
            _ => return Err(self.unexpected("an expression term")),
        };
        Ok(self.spanned(start, term))
    }

    fn type_args_ambiguity(&self, at: usize, mut d: Box<Diagnostic>) -> Box<Diagnostic> {
        d.secondary.push((
            self.loc(at, at),
            "Perhaps you need a blank space before this '<' operator?".to_string(),
        ));
        d
    }

    /// A block, or an expression; the flag says whether it was a block.
    fn parse_exp_or_sequence(&mut self) -> PResult<(Exp, bool)> {
        if self.peek() == Tok::LBrace {
            let start = self.start();
            self.advance()?;
            let seq = self.parse_sequence()?;
            Ok((self.spanned(start, Exp_::Block(seq)), true))
        } else {
            Ok((self.parse_exp()?, false))
        }
    }

    /// `if`, `while`, `loop`, `return` and `abort`; the flag says whether it ended in a block
    /// (then a binary operator may follow it: `if (c) { a } else { b } + 1`).
    fn parse_control_exp(&mut self) -> PResult<(Exp, bool)> {
        self.enter()?;
        let start = self.start();
        let (e, ends_in_block) = match self.peek() {
            Tok::If => {
                self.advance()?;
                self.consume(Tok::LParen)?;
                let cond = self.parse_exp()?;
                self.consume(Tok::RParen)?;
                let (then, mut ends) = self.parse_exp_or_sequence()?;
                let els = if self.match_token(Tok::Else)? {
                    let (e, b) = self.parse_exp_or_sequence()?;
                    ends = b;
                    Some(Box::new(e))
                } else {
                    None
                };
                (Exp_::IfElse(Box::new(cond), Box::new(then), els), ends)
            }
            Tok::While => {
                self.advance()?;
                self.consume(Tok::LParen)?;
                let cond = self.parse_exp()?;
                self.consume(Tok::RParen)?;
                let (body, mut ends) = self.parse_exp_or_sequence()?;
                let spec = if self.peek() == Tok::Spec {
                    let spec = self.parse_spec_block(vec![])?;
                    for member in &spec.value.members {
                        let ok = matches!(
                            &member.value,
                            SpecBlockMember_::Condition {
                                kind: Spanned {
                                    value: SpecConditionKind_::Invariant(_),
                                    ..
                                },
                                ..
                            }
                        );
                        if !ok {
                            return Err(Box::new(Diagnostic::error(
                                Code::InvalidSpecBlockMember,
                                member.loc,
                                "only 'invariant' allowed here",
                            )));
                        }
                    }
                    ends = true;
                    Some(Box::new(spec))
                } else {
                    None
                };
                (Exp_::While(Box::new(cond), Box::new(body), spec), ends)
            }
            Tok::Loop => {
                self.advance()?;
                let (body, ends) = self.parse_exp_or_sequence()?;
                (Exp_::Loop(Box::new(body)), ends)
            }
            Tok::Return => {
                self.advance()?;
                if !self.at_start_of_exp() {
                    (Exp_::Return(None), false)
                } else {
                    let (e, ends) = self.parse_exp_or_sequence()?;
                    (Exp_::Return(Some(Box::new(e))), ends)
                }
            }
            _ => {
                // `abort`, the only control token left.
                self.advance()?;
                let (e, ends) = self.parse_exp_or_sequence()?;
                (Exp_::Abort(Box::new(e)), ends)
            }
        };
        self.leave();
        Ok((self.spanned(start, e), ends_in_block))
    }

    fn parse_name_exp(&mut self) -> PResult<Exp_> {
        let n = self.parse_name_access_chain("an identifier")?;
        if self.peek() == Tok::Exclaim {
            self.advance()?;
            let args = self.parse_call_args()?;
            return Ok(Exp_::Call(Box::new(n), true, None, args));
        }
        let mut tys = None;
        let start = self.start();
        // `<` right after the name (no space) opens type arguments; otherwise it is "less than".
        if self.peek() == Tok::Less && n.loc.end as usize == start {
            tys = self
                .parse_optional_type_args()
                .map_err(|d| self.type_args_ambiguity(start, d))?;
        }
        match self.peek() {
            Tok::LBrace => {
                let fields = self.parse_comma_list(
                    Tok::LBrace,
                    Tok::RBrace,
                    Self::parse_exp_field,
                    "a field expression",
                )?;
                Ok(Exp_::Pack(Box::new(n), tys, fields))
            }
            Tok::Exclaim | Tok::LParen => {
                let args = self.parse_call_args()?;
                Ok(Exp_::Call(Box::new(n), false, tys, args))
            }
            _ => Ok(Exp_::Name(Box::new(n), tys)),
        }
    }

    fn parse_call_args(&mut self) -> PResult<Spanned<Vec<Exp>>> {
        let start = self.start();
        let args = self.parse_comma_list(
            Tok::LParen,
            Tok::RParen,
            Self::parse_exp,
            "a call argument expression",
        )?;
        Ok(self.spanned(start, args))
    }

    fn at_end_of_exp(&self) -> bool {
        matches!(
            self.peek(),
            Tok::Else | Tok::RBrace | Tok::RParen | Tok::Comma | Tok::Colon | Tok::Semicolon
        )
    }

    fn at_start_of_exp(&self) -> bool {
        matches!(
            self.peek(),
            Tok::NumValue
                | Tok::NumTypedValue
                | Tok::ByteStringValue
                | Tok::Identifier
                | Tok::AtSign
                | Tok::Copy
                | Tok::Move
                | Tok::False
                | Tok::True
                | Tok::Amp
                | Tok::AmpMut
                | Tok::Star
                | Tok::Exclaim
                | Tok::LParen
                | Tok::LBrace
                | Tok::Abort
                | Tok::Break
                | Tok::Continue
                | Tok::If
                | Tok::Loop
                | Tok::Return
                | Tok::While
        )
    }

    pub(crate) fn parse_exp(&mut self) -> PResult<Exp> {
        if let Some(e) = self.parse_lone_literal()? {
            return Ok(e);
        }
        self.enter()?;
        let r = self.parse_exp_inner();
        self.leave();
        r
    }

    /// Fast path for the commonest expression of large sources, a number or boolean alone
    /// before `,`, `]`, `)` or `;` (the elements of `vector[...]` byte arrays): builds the same
    /// tree as the general path without going through its layers.
    fn parse_lone_literal(&mut self) -> PResult<Option<Exp>> {
        let value = match self.peek() {
            Tok::NumTypedValue | Tok::NumValue => None,
            Tok::True => Some(Value_::Bool(true)),
            Tok::False => Some(Value_::Bool(false)),
            _ => return Ok(None),
        };
        let end = self.tokens.end_loc();
        let rest = self.tokens.text().as_bytes().get(end..).unwrap_or_default();
        let next = rest
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if !matches!(next, Some(b',' | b']' | b')' | b';')) {
            return Ok(None);
        }
        let start = self.start();
        let value = match value {
            Some(v) => v,
            None => Value_::Num(self.intern(self.content())),
        };
        self.advance()?;
        let loc = self.loc(start, self.prev_end());
        Ok(Some(Spanned::new(
            loc,
            Exp_::Value(Spanned::new(loc, value)),
        )))
    }

    fn parse_exp_inner(&mut self) -> PResult<Exp> {
        let start = self.start();
        let e = match self.peek() {
            Tok::Pipe => {
                let binds = self.parse_lambda_bind_list()?;
                let body = self.parse_exp()?;
                Exp_::Lambda(binds, Box::new(body))
            }
            Tok::Identifier if self.is_quant() => self.parse_quant()?,
            _ => {
                let lhs = self.parse_unary_exp()?;
                if self.peek() != Tok::Equal {
                    return self.parse_binop_exp(lhs, 1);
                }
                self.advance()?;
                let rhs = self.parse_exp()?;
                Exp_::Assign(Box::new(lhs), Box::new(rhs))
            }
        };
        Ok(self.spanned(start, e))
    }

    /// Precedence climbing over left-associative binary operators.
    fn parse_binop_exp(&mut self, lhs: Exp, min_prec: u32) -> PResult<Exp> {
        let mut result = lhs;
        let mut next_prec = precedence(self.peek());
        while next_prec >= min_prec {
            let op_start = self.start();
            let op_tok = self.peek();
            self.advance()?;
            let op_end = self.prev_end();
            let mut rhs = self.parse_unary_exp()?;
            let this_prec = next_prec;
            next_prec = precedence(self.peek());
            if this_prec < next_prec {
                self.enter()?;
                rhs = self.parse_binop_exp(rhs, this_prec + 1)?;
                self.leave();
                next_prec = precedence(self.peek());
            }
            let op = binop(op_tok);
            let op = Spanned::new(self.loc(op_start, op_end), op);
            let start = result.loc.start as usize;
            result = self.spanned(start, Exp_::BinopExp(Box::new(result), op, Box::new(rhs)));
        }
        Ok(result)
    }

    /// The operand of a unary operator: one more level of nesting.
    fn parse_unary_operand(&mut self) -> PResult<Exp> {
        self.enter()?;
        let r = self.parse_unary_exp();
        self.leave();
        r
    }

    fn parse_unary_exp(&mut self) -> PResult<Exp> {
        let start = self.start();
        let e = match self.peek() {
            Tok::Exclaim => {
                self.advance()?;
                let op = self.spanned(start, UnaryOp_::Not);
                let e = self.parse_unary_operand()?;
                Exp_::UnaryExp(op, Box::new(e))
            }
            Tok::AmpMut => {
                self.advance()?;
                Exp_::Borrow(true, Box::new(self.parse_unary_operand()?))
            }
            Tok::Amp => {
                self.advance()?;
                Exp_::Borrow(false, Box::new(self.parse_unary_operand()?))
            }
            Tok::Star => {
                self.advance()?;
                Exp_::Dereference(Box::new(self.parse_unary_operand()?))
            }
            Tok::Move => {
                self.advance()?;
                Exp_::Move(self.parse_identifier()?)
            }
            Tok::Copy => {
                self.advance()?;
                Exp_::Copy(self.parse_identifier()?)
            }
            _ => return self.parse_dot_or_index_chain(),
        };
        Ok(self.spanned(start, e))
    }

    fn parse_dot_or_index_chain(&mut self) -> PResult<Exp> {
        let start = self.start();
        let mut lhs = self.parse_term()?;
        loop {
            let e = match self.peek() {
                Tok::Period => {
                    self.advance()?;
                    let n = self.parse_identifier()?;
                    Exp_::Dot(Box::new(lhs), n)
                }
                Tok::LBracket => {
                    self.advance()?;
                    let index = self.parse_exp()?;
                    let e = Exp_::Index(Box::new(lhs), Box::new(index));
                    self.consume(Tok::RBracket)?;
                    e
                }
                _ => return Ok(lhs),
            };
            lhs = self.spanned(start, e);
        }
    }

    /// `forall`, `exists` or `choose`, followed by an identifier and then `:` or an identifier.
    fn is_quant(&self) -> bool {
        if !matches!(self.content(), "exists" | "forall" | "choose") {
            return false;
        }
        match self.tokens.lookahead2() {
            Ok((t1, t2)) => t1 == Tok::Identifier && matches!(t2, Tok::Colon | Tok::Identifier),
            Err(_) => false,
        }
    }

    fn parse_quant(&mut self) -> PResult<Exp_> {
        let start = self.start();
        let kind = match self.content() {
            "exists" => QuantKind_::Exists,
            "forall" => QuantKind_::Forall,
            _ => QuantKind_::Choose,
        };
        self.advance()?;
        let kind = if kind == QuantKind_::Choose && self.is_ident("min") {
            self.advance()?;
            QuantKind_::ChooseMin
        } else {
            kind
        };
        let kind = self.spanned(start, kind);
        if matches!(kind.value, QuantKind_::Choose | QuantKind_::ChooseMin) {
            let binding = self.parse_quant_binding()?;
            self.consume_identifier("where")?;
            let body = self.parse_exp()?;
            let loc = binding.loc;
            return Ok(Exp_::Quant(
                kind,
                Spanned::new(loc, vec![binding]),
                vec![],
                None,
                Box::new(body),
            ));
        }
        let binds_start = self.start();
        let mut binds = vec![self.parse_quant_binding()?];
        while self.match_token(Tok::Comma)? {
            binds.push(self.parse_quant_binding()?);
        }
        let binds = self.spanned(binds_start, binds);
        let mut triggers = vec![];
        while self.peek() == Tok::LBrace {
            triggers.push(self.parse_comma_list(
                Tok::LBrace,
                Tok::RBrace,
                Self::parse_exp,
                "a trigger expresssion",
            )?);
        }
        let condition = if self.is_ident("where") {
            self.advance()?;
            Some(Box::new(self.parse_exp()?))
        } else {
            None
        };
        self.consume(Tok::Colon)?;
        let body = self.parse_exp()?;
        Ok(Exp_::Quant(
            kind,
            binds,
            triggers,
            condition,
            Box::new(body),
        ))
    }

    fn parse_quant_binding(&mut self) -> PResult<QuantBind> {
        let start = self.start();
        let ident = self.parse_identifier()?;
        let range = if self.peek() == Tok::Colon {
            self.advance()?;
            QuantRange::Type(self.parse_type()?)
        } else {
            self.consume_identifier("in")?;
            QuantRange::In(self.parse_exp()?)
        };
        Ok(self.spanned(start, (ident, range)))
    }

    // -----------------------------------------------------------------------------------------
    // Types

    fn parse_type(&mut self) -> PResult<Type> {
        self.enter()?;
        let r = self.parse_type_inner();
        self.leave();
        r
    }

    fn parse_type_inner(&mut self) -> PResult<Type> {
        let start = self.start();
        let t = match self.peek() {
            Tok::LParen => {
                let mut ts =
                    self.parse_comma_list(Tok::LParen, Tok::RParen, Self::parse_type, "a type")?;
                match ts.len() {
                    0 => Type_::Unit,
                    1 => ts.pop().map(|t| t.value).unwrap_or(Type_::Unit),
                    _ => Type_::Multiple(ts),
                }
            }
            Tok::Amp => {
                self.advance()?;
                Type_::Ref(false, Box::new(self.parse_type()?))
            }
            Tok::AmpMut => {
                self.advance()?;
                Type_::Ref(true, Box::new(self.parse_type()?))
            }
            Tok::Pipe => {
                let args =
                    self.parse_comma_list(Tok::Pipe, Tok::Pipe, Self::parse_type, "a type")?;
                let result = if matches!(
                    self.peek(),
                    Tok::LParen | Tok::Amp | Tok::AmpMut | Tok::Pipe | Tok::Identifier
                ) {
                    self.parse_type()?
                } else {
                    Spanned::new(self.loc(start, self.start()), Type_::Unit)
                };
                Type_::Fun(args, Box::new(result))
            }
            _ => {
                let tn = self.parse_name_access_chain("a type name")?;
                let tys = if self.peek() == Tok::Less {
                    self.parse_comma_list(Tok::Less, Tok::Greater, Self::parse_type, "a type")?
                } else {
                    vec![]
                };
                Type_::Apply(Box::new(tn), tys)
            }
        };
        Ok(self.spanned(start, t))
    }

    fn parse_optional_type_args(&mut self) -> PResult<Option<Vec<Type>>> {
        if self.peek() == Tok::Less {
            Ok(Some(self.parse_comma_list(
                Tok::Less,
                Tok::Greater,
                Self::parse_type,
                "a type",
            )?))
        } else {
            Ok(None)
        }
    }

    fn parse_ability(&mut self) -> PResult<Ability> {
        let loc = self.current_loc();
        let ability = match (self.peek(), self.content()) {
            (Tok::Copy, _) => Some(Ability_::Copy),
            (Tok::Identifier, "drop") => Some(Ability_::Drop),
            (Tok::Identifier, "store") => Some(Ability_::Store),
            (Tok::Identifier, "key") => Some(Ability_::Key),
            _ => None,
        };
        match ability {
            Some(a) => {
                self.advance()?;
                Ok(Spanned::new(loc, a))
            }
            None => Err(Box::new(Diagnostic::error(
                Code::UnexpectedToken,
                loc,
                format!(
                    "Unexpected {}. Expected a type ability, one of: 'copy', 'drop', 'store', or 'key'",
                    self.current_token_description()
                ),
            ))),
        }
    }

    fn parse_type_parameter(&mut self) -> PResult<TypeParameter> {
        let n = self.parse_identifier()?;
        let mut constraints = vec![];
        if self.match_token(Tok::Colon)? {
            loop {
                constraints.push(self.parse_ability()?);
                match self.peek() {
                    Tok::Plus => self.advance()?,
                    Tok::Greater | Tok::Comma => break,
                    _ => return Err(self.unexpected("one of: '+', '>', or ','")),
                }
            }
        }
        Ok((n, constraints))
    }

    fn parse_struct_type_parameter(&mut self) -> PResult<StructTypeParameter> {
        let is_phantom = if self.is_ident("phantom") {
            self.advance()?;
            true
        } else {
            false
        };
        let (name, constraints) = self.parse_type_parameter()?;
        Ok(StructTypeParameter {
            is_phantom,
            name,
            constraints,
        })
    }

    fn parse_optional_type_parameters(&mut self) -> PResult<Vec<TypeParameter>> {
        if self.peek() == Tok::Less {
            self.parse_comma_list(
                Tok::Less,
                Tok::Greater,
                Self::parse_type_parameter,
                "a type parameter",
            )
        } else {
            Ok(vec![])
        }
    }

    // -----------------------------------------------------------------------------------------
    // Functions, structs, constants

    fn parse_function_decl(
        &mut self,
        attributes: Vec<Attributes>,
        start: usize,
        modifiers: Modifiers,
    ) -> PResult<Function> {
        let Modifiers {
            visibility,
            mut entry,
            native,
        } = modifiers;
        if let Some(Visibility::Script(vloc)) = &visibility {
            self.add_diag(
                Severity::Warning,
                Code::Deprecated,
                *vloc,
                "'public(script)' is deprecated in favor of the 'entry' modifier. Replace with 'public entry'",
            );
            if entry.is_none() {
                entry = Some(*vloc);
            }
        }
        let inline = self.match_token(Tok::Inline)?;
        self.consume(Tok::Fun)?;
        let name = self.parse_identifier()?;
        let type_parameters = self.parse_optional_type_parameters()?;
        let parameters = self.parse_comma_list(
            Tok::LParen,
            Tok::RParen,
            Self::parse_parameter,
            "a function parameter",
        )?;
        let return_type = if self.match_token(Tok::Colon)? {
            self.parse_type()?
        } else {
            Spanned::new(name.loc, Type_::Unit)
        };
        let mut acquires = vec![];
        if self.match_token(Tok::Acquires)? {
            let follows = |t: Tok| matches!(t, Tok::Semicolon | Tok::LBrace);
            loop {
                acquires.push(self.parse_name_access_chain("a resource struct name")?);
                if follows(self.peek()) {
                    break;
                }
                self.consume(Tok::Comma)?;
                if follows(self.peek()) {
                    break;
                }
            }
        }
        let body = match native {
            Some(loc) => {
                self.consume(Tok::Semicolon)?;
                Spanned::new(loc, FunctionBody_::Native)
            }
            None => {
                let body_start = self.start();
                self.consume(Tok::LBrace)?;
                let seq = self.parse_sequence()?;
                self.spanned(body_start, FunctionBody_::Defined(seq))
            }
        };
        Ok(Function {
            attributes,
            loc: self.loc(start, self.prev_end()),
            visibility: visibility.unwrap_or(Visibility::Internal),
            entry,
            native,
            signature: FunctionSignature {
                type_parameters,
                parameters,
                return_type,
            },
            acquires,
            name,
            inline,
            body,
        })
    }

    fn parse_parameter(&mut self) -> PResult<(Name, Type)> {
        let v = self.parse_identifier()?;
        self.consume(Tok::Colon)?;
        let t = self.parse_type()?;
        Ok((v, t))
    }

    fn parse_struct_decl(
        &mut self,
        attributes: Vec<Attributes>,
        start: usize,
        modifiers: Modifiers,
    ) -> PResult<StructDefinition> {
        let Modifiers {
            visibility,
            entry,
            native,
        } = modifiers;
        if let Some(loc) = visibility.as_ref().and_then(visibility_loc) {
            self.add_diag(
                Severity::NonBlockingError,
                Code::InvalidModifier,
                loc,
                "Invalid struct declaration. Structs cannot have visibility modifiers as they are always 'public'",
            );
        }
        if let Some(loc) = entry {
            self.add_diag(
                Severity::NonBlockingError,
                Code::InvalidModifier,
                loc,
                "Invalid struct declaration. 'entry' is used only on functions",
            );
        }
        self.consume(Tok::Struct)?;
        let name = self.parse_identifier()?;
        let type_parameters = if self.peek() == Tok::Less {
            self.parse_comma_list(
                Tok::Less,
                Tok::Greater,
                Self::parse_struct_type_parameter,
                "a type parameter",
            )?
        } else {
            vec![]
        };
        let mut abilities = vec![];
        if self.is_ident("has") {
            self.advance()?;
            loop {
                abilities.push(self.parse_ability()?);
                match self.peek() {
                    Tok::Comma => self.advance()?,
                    Tok::LBrace | Tok::Semicolon => break,
                    _ => return Err(self.unexpected("one of: ',', '{', or ';'")),
                }
            }
        }
        let fields = match native {
            Some(loc) => {
                self.consume(Tok::Semicolon)?;
                StructFields::Native(loc)
            }
            None => StructFields::Defined(self.parse_comma_list(
                Tok::LBrace,
                Tok::RBrace,
                Self::parse_field_annot,
                "a field",
            )?),
        };
        Ok(StructDefinition {
            attributes,
            loc: self.loc(start, self.prev_end()),
            abilities,
            name,
            type_parameters,
            fields,
        })
    }

    fn parse_field_annot(&mut self) -> PResult<(Name, Type)> {
        self.match_doc_comments();
        let f = self.parse_identifier()?;
        self.consume(Tok::Colon)?;
        let t = self.parse_type()?;
        Ok((f, t))
    }

    fn parse_constant_decl(
        &mut self,
        attributes: Vec<Attributes>,
        start: usize,
        modifiers: Modifiers,
    ) -> PResult<Constant> {
        if let Some(loc) = modifiers.visibility.as_ref().and_then(visibility_loc) {
            self.add_diag(
                Severity::NonBlockingError,
                Code::InvalidModifier,
                loc,
                "Invalid constant declaration. Constants cannot have visibility modifiers as they are always internal",
            );
        }
        if let Some(loc) = modifiers.entry {
            self.add_diag(
                Severity::NonBlockingError,
                Code::InvalidModifier,
                loc,
                "Invalid constant declaration. 'entry' is used only on functions",
            );
        }
        if let Some(loc) = modifiers.native {
            self.add_diag(
                Severity::NonBlockingError,
                Code::InvalidModifier,
                loc,
                "Invalid constant declaration. 'native' constants are not supported",
            );
        }
        self.consume(Tok::Const)?;
        let name = self.parse_identifier()?;
        self.consume(Tok::Colon)?;
        let signature = self.parse_type()?;
        self.consume(Tok::Equal)?;
        let value = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(Constant {
            attributes,
            loc: self.loc(start, self.prev_end()),
            signature,
            name,
            value,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Address blocks, friends, uses, modules, scripts

    fn parse_address_block(&mut self, attributes: Vec<Attributes>) -> PResult<AddressDefinition> {
        const INVALID: &str = "Invalid code unit. Expected 'address', 'module', or 'script'";
        if self.peek() != Tok::Identifier {
            let loc = self.current_loc();
            return Err(Box::new(Diagnostic::error(
                Code::UnexpectedToken,
                loc,
                format!("{INVALID}. Got {}", self.current_token_description()),
            )));
        }
        let kw = self.parse_identifier()?;
        if kw.value.as_str() != "address" {
            return Err(Box::new(Diagnostic::error(
                Code::UnexpectedToken,
                kw.loc,
                format!("{INVALID}. Got '{}'", kw.value),
            )));
        }
        let start = self.start();
        let addr = self.parse_leading_name_access()?;
        let loc = self.loc(start, self.prev_end());
        if self.peek() != Tok::LBrace {
            return Err(self.unexpected("'{'"));
        }
        self.advance()?;
        let mut modules = vec![];
        while self.peek() != Tok::RBrace {
            let attributes = self.parse_attributes()?;
            modules.push(self.parse_module(attributes)?);
        }
        self.consume(Tok::RBrace)?;
        Ok(AddressDefinition {
            attributes,
            loc,
            addr,
            modules,
        })
    }

    fn parse_friend_decl(&mut self, attributes: Vec<Attributes>) -> PResult<FriendDecl> {
        let start = self.start();
        self.consume(Tok::Friend)?;
        let friend = self.parse_name_access_chain("a friend declaration")?;
        self.consume(Tok::Semicolon)?;
        Ok(FriendDecl {
            attributes,
            loc: self.loc(start, self.prev_end()),
            friend,
        })
    }

    fn parse_use_decl(&mut self, attributes: Vec<Attributes>) -> PResult<UseDecl> {
        let start = self.start();
        self.consume(Tok::Use)?;
        let ident = self.parse_module_ident()?;
        let alias = self.parse_use_alias()?;
        let use_ = match (&alias, self.peek()) {
            (None, Tok::ColonColon) => {
                self.advance()?;
                let members = if self.peek() == Tok::LBrace {
                    self.parse_comma_list(
                        Tok::LBrace,
                        Tok::RBrace,
                        Self::parse_use_member,
                        "a module member alias",
                    )?
                } else {
                    vec![self.parse_use_member()?]
                };
                Use::Members(ident, members)
            }
            _ => Use::Module(ident, alias),
        };
        self.consume(Tok::Semicolon)?;
        Ok(UseDecl {
            attributes,
            loc: self.loc(start, self.prev_end()),
            use_,
        })
    }

    fn parse_use_member(&mut self) -> PResult<(Name, Option<Name>)> {
        let member = self.parse_identifier()?;
        let alias = self.parse_use_alias()?;
        Ok((member, alias))
    }

    fn parse_use_alias(&mut self) -> PResult<Option<Name>> {
        if self.match_token(Tok::As)? {
            Ok(Some(self.parse_identifier()?))
        } else {
            Ok(None)
        }
    }

    fn parse_module(&mut self, attributes: Vec<Attributes>) -> PResult<ModuleDefinition> {
        self.match_doc_comments();
        let start = self.start();
        let is_spec_module = if self.peek() == Tok::Spec {
            self.advance()?;
            true
        } else {
            self.consume(Tok::Module)?;
            false
        };
        let first = self.parse_leading_name_access()?;
        let (address, name) = match first.value {
            LeadingNameAccess_::Name(n) if self.peek() != Tok::ColonColon => (None, n),
            value => {
                let addr = Spanned::new(first.loc, value);
                self.consume(Tok::ColonColon)?;
                (Some(addr), self.parse_identifier()?)
            }
        };
        self.consume(Tok::LBrace)?;
        let mut members = vec![];
        while self.peek() != Tok::RBrace {
            let attributes = self.parse_attributes()?;
            let member = match self.peek() {
                Tok::Invariant => {
                    self.match_doc_comments();
                    let s = self.start();
                    ModuleMember::Spec(self.singleton_spec_block(
                        s,
                        attributes,
                        Self::parse_invariant,
                    )?)
                }
                Tok::Spec => match self.tokens.lookahead() {
                    Ok(Tok::Fun | Tok::Native) => {
                        self.match_doc_comments();
                        let s = self.start();
                        self.advance()?;
                        if self.tokens.lookahead2() == Ok((Tok::Identifier, Tok::LBrace)) {
                            return Err(self.unexpected("only 'spec', drop the 'fun' keyword"));
                        }
                        ModuleMember::Spec(self.singleton_spec_block(
                            s,
                            attributes,
                            Self::parse_spec_function,
                        )?)
                    }
                    _ => ModuleMember::Spec(self.parse_spec_block(attributes)?),
                },
                Tok::Use => ModuleMember::Use(self.parse_use_decl(attributes)?),
                Tok::Friend => ModuleMember::Friend(self.parse_friend_decl(attributes)?),
                _ => {
                    self.match_doc_comments();
                    let s = self.start();
                    let modifiers = self.parse_module_member_modifiers()?;
                    match self.peek() {
                        Tok::Const => {
                            ModuleMember::Constant(self.parse_constant_decl(attributes, s, modifiers)?)
                        }
                        Tok::Fun | Tok::Inline => {
                            ModuleMember::Function(self.parse_function_decl(attributes, s, modifiers)?)
                        }
                        Tok::Struct => {
                            ModuleMember::Struct(self.parse_struct_decl(attributes, s, modifiers)?)
                        }
                        _ => {
                            return Err(self.unexpected(
                                "a module member: 'spec', 'use', 'friend', 'const', 'fun', 'inline', or 'struct'",
                            ))
                        }
                    }
                }
            };
            members.push(member);
        }
        self.consume(Tok::RBrace)?;
        Ok(ModuleDefinition {
            attributes,
            loc: self.loc(start, self.prev_end()),
            address,
            name,
            is_spec_module,
            members,
        })
    }

    fn parse_script(&mut self, attributes: Vec<Attributes>) -> PResult<Script> {
        let start = self.start();
        self.consume(Tok::Script)?;
        self.consume(Tok::LBrace)?;
        let mut uses = vec![];
        let mut next_attributes = self.parse_attributes()?;
        while self.peek() == Tok::Use {
            uses.push(self.parse_use_decl(next_attributes)?);
            next_attributes = self.parse_attributes()?;
        }
        let mut constants = vec![];
        while self.peek() == Tok::Const {
            let s = self.start();
            constants.push(self.parse_constant_decl(next_attributes, s, Modifiers::empty())?);
            next_attributes = self.parse_attributes()?;
        }
        self.match_doc_comments();
        let fstart = self.start();
        let modifiers = self.parse_module_member_modifiers()?;
        let function = self.parse_function_decl(next_attributes, fstart, modifiers)?;
        let mut specs = vec![];
        while matches!(self.peek(), Tok::NumSign | Tok::Spec) {
            let attributes = self.parse_attributes()?;
            specs.push(self.parse_spec_block(attributes)?);
        }
        if self.peek() != Tok::RBrace {
            return Err(Box::new(Diagnostic::error(
                Code::UnexpectedToken,
                self.current_loc(),
                "Unexpected characters after end of 'script' function",
            )));
        }
        self.consume(Tok::RBrace)?;
        Ok(Script {
            attributes,
            loc: self.loc(start, self.prev_end()),
            uses,
            constants,
            function,
            specs,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Specification blocks

    fn parse_spec_block(&mut self, attributes: Vec<Attributes>) -> PResult<SpecBlock> {
        self.enter()?;
        self.match_doc_comments();
        let start = self.start();
        self.consume(Tok::Spec)?;
        let target_start = self.start();
        let target = match self.peek() {
            Tok::Fun => return Err(self.unexpected("only 'spec', drop the 'fun' keyword")),
            Tok::Struct => return Err(self.unexpected("only 'spec', drop the 'struct' keyword")),
            Tok::Module => {
                self.advance()?;
                SpecBlockTarget_::Module
            }
            Tok::Identifier if self.content() == "schema" => {
                self.advance()?;
                let name = self.parse_identifier()?;
                let tps = self.parse_optional_type_parameters()?;
                SpecBlockTarget_::Schema(name, tps)
            }
            Tok::Identifier => {
                let name = self.parse_identifier()?;
                let sig = self.parse_spec_target_signature_opt(name.loc)?;
                SpecBlockTarget_::Member(name, sig)
            }
            Tok::LBrace => SpecBlockTarget_::Code,
            _ => {
                return Err(self.unexpected("one of `module`, `struct`, `fun`, `schema`, or `{`"));
            }
        };
        let target_end = match target {
            SpecBlockTarget_::Code => target_start,
            _ => self.prev_end(),
        };
        let target = Spanned::new(self.loc(target_start, target_end), target);
        self.consume(Tok::LBrace)?;
        let mut uses = vec![];
        while self.peek() == Tok::Use {
            uses.push(self.parse_use_decl(vec![])?);
        }
        let mut members = vec![];
        while self.peek() != Tok::RBrace {
            members.push(self.parse_spec_block_member()?);
        }
        self.consume(Tok::RBrace)?;
        self.leave();
        Ok(self.spanned(
            start,
            SpecBlock_ {
                attributes,
                target,
                uses,
                members,
            },
        ))
    }

    fn parse_spec_target_signature_opt(
        &mut self,
        name_loc: Loc,
    ) -> PResult<Option<Box<FunctionSignature>>> {
        if !matches!(self.peek(), Tok::Less | Tok::LParen) {
            return Ok(None);
        }
        let type_parameters = self.parse_optional_type_parameters()?;
        let parameters = self.parse_comma_list(
            Tok::LParen,
            Tok::RParen,
            Self::parse_parameter,
            "a function parameter",
        )?;
        let return_type = if self.match_token(Tok::Colon)? {
            self.parse_type()?
        } else {
            Spanned::new(name_loc, Type_::Unit)
        };
        Ok(Some(Box::new(FunctionSignature {
            type_parameters,
            parameters,
            return_type,
        })))
    }

    fn parse_spec_block_member(&mut self) -> PResult<SpecBlockMember> {
        self.match_doc_comments();
        match self.peek() {
            Tok::Invariant => self.parse_invariant(),
            Tok::Let => self.parse_spec_let(),
            Tok::Fun | Tok::Native => self.parse_spec_function(),
            Tok::Identifier => match self.content() {
                "assert" | "assume" | "decreases" | "aborts_if" | "aborts_with" | "succeeds_if"
                | "modifies" | "emits" | "ensures" | "requires" => self.parse_condition(),
                "axiom" => self.parse_axiom(),
                "include" => self.parse_spec_include(),
                "apply" => self.parse_spec_apply(),
                "pragma" => self.parse_spec_pragma(),
                "update" => self.parse_spec_update(),
                _ => self.parse_spec_variable(),
            },
            _ => Err(self.unexpected(
                "one of `assert`, `assume`, `decreases`, `aborts_if`, `aborts_with`, `succeeds_if`, \
                 `modifies`, `emits`, `ensures`, `requires`, `include`, `apply`, `pragma`, `global`, \
                 or a name",
            )),
        }
    }

    fn parse_condition(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        let kind = match self.content() {
            "assert" => SpecConditionKind_::Assert,
            "assume" => SpecConditionKind_::Assume,
            "decreases" => SpecConditionKind_::Decreases,
            "aborts_if" => SpecConditionKind_::AbortsIf,
            "aborts_with" => SpecConditionKind_::AbortsWith,
            "succeeds_if" => SpecConditionKind_::SucceedsIf,
            "modifies" => SpecConditionKind_::Modifies,
            "emits" => SpecConditionKind_::Emits,
            "ensures" => SpecConditionKind_::Ensures,
            _ => SpecConditionKind_::Requires,
        };
        self.advance()?;
        let kind = self.spanned(start, kind);
        let properties = self.parse_condition_properties()?;
        let list_kind = matches!(
            kind.value,
            SpecConditionKind_::AbortsWith | SpecConditionKind_::Modifies
        );
        let exp = if list_kind {
            None
        } else {
            Some(self.parse_exp()?)
        };
        let additional_exps =
            if matches!(kind.value, SpecConditionKind_::AbortsIf) && self.is_ident("with") {
                self.advance()?;
                let codes = vec![self.parse_exp()?];
                self.consume(Tok::Semicolon)?;
                codes
            } else if list_kind {
                let s = self.start();
                let first = self.peek();
                self.parse_comma_list_after_start(
                    s,
                    first,
                    Tok::Semicolon,
                    Self::parse_exp,
                    "an aborts code or modifies target",
                )?
            } else if matches!(kind.value, SpecConditionKind_::Emits) {
                self.consume_identifier("to")?;
                let mut v = vec![self.parse_exp()?];
                if self.match_token(Tok::If)? {
                    v.push(self.parse_exp()?);
                }
                self.consume(Tok::Semicolon)?;
                v
            } else {
                self.consume(Tok::Semicolon)?;
                vec![]
            };
        Ok(self.spanned(
            start,
            SpecBlockMember_::Condition {
                kind,
                properties,
                exp,
                additional_exps,
            },
        ))
    }

    fn parse_condition_properties(&mut self) -> PResult<Vec<PragmaProperty>> {
        if self.peek() == Tok::LBracket {
            self.parse_comma_list(
                Tok::LBracket,
                Tok::RBracket,
                Self::parse_spec_property,
                "a condition property",
            )
        } else {
            Ok(vec![])
        }
    }

    fn parse_axiom(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume_identifier("axiom")?;
        let tps = self.parse_optional_type_parameters()?;
        let kind = self.spanned(start, SpecConditionKind_::Axiom(tps));
        let properties = self.parse_condition_properties()?;
        let exp = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(
            start,
            SpecBlockMember_::Condition {
                kind,
                properties,
                exp: Some(exp),
                additional_exps: vec![],
            },
        ))
    }

    fn parse_invariant(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume(Tok::Invariant)?;
        let tps = self.parse_optional_type_parameters()?;
        let kind = if self.is_ident("update") {
            self.advance()?;
            SpecConditionKind_::InvariantUpdate(tps)
        } else {
            SpecConditionKind_::Invariant(tps)
        };
        let kind = self.spanned(start, kind);
        let properties = self.parse_condition_properties()?;
        let exp = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(
            start,
            SpecBlockMember_::Condition {
                kind,
                properties,
                exp: Some(exp),
                additional_exps: vec![],
            },
        ))
    }

    fn parse_spec_function(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        let native = self.consume_optional_with_loc(Tok::Native)?;
        self.consume(Tok::Fun)?;
        let name = self.parse_identifier()?;
        let type_parameters = self.parse_optional_type_parameters()?;
        let parameters = self.parse_comma_list(
            Tok::LParen,
            Tok::RParen,
            Self::parse_parameter,
            "a function parameter",
        )?;
        self.consume(Tok::Colon)?;
        let return_type = self.parse_type()?;
        let body_start = self.start();
        let no_body = self.peek() != Tok::LBrace;
        let (uninterpreted, body) = if native.is_some() || no_body {
            self.consume(Tok::Semicolon)?;
            (native.is_none(), FunctionBody_::Native)
        } else {
            self.consume(Tok::LBrace)?;
            (false, FunctionBody_::Defined(self.parse_sequence()?))
        };
        let body = self.spanned(body_start, body);
        Ok(self.spanned(
            start,
            SpecBlockMember_::Function {
                uninterpreted,
                native: native.is_some(),
                name,
                signature: FunctionSignature {
                    type_parameters,
                    parameters,
                    return_type,
                },
                body,
            },
        ))
    }

    fn parse_spec_variable(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        let (is_global, is_local) = match self.content() {
            "global" => {
                self.consume(Tok::Identifier)?;
                (true, false)
            }
            "local" => {
                self.consume(Tok::Identifier)?;
                (false, true)
            }
            _ => (false, false),
        };
        let name = self.parse_identifier()?;
        let type_parameters = self.parse_optional_type_parameters()?;
        self.consume(Tok::Colon)?;
        let type_ = self.parse_type()?;
        let init = if is_global && self.peek() == Tok::Equal {
            self.advance()?;
            Some(self.parse_exp()?)
        } else {
            None
        };
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(
            start,
            SpecBlockMember_::Variable {
                is_global,
                is_local,
                name,
                type_parameters,
                type_,
                init,
            },
        ))
    }

    fn parse_spec_update(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume(Tok::Identifier)?;
        let lhs = self.parse_unary_exp()?;
        self.consume(Tok::Equal)?;
        let rhs = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(start, SpecBlockMember_::Update { lhs, rhs }))
    }

    fn parse_spec_let(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.advance()?;
        let post_state = if self.is_ident("post") {
            self.advance()?;
            true
        } else {
            false
        };
        let name = self.parse_identifier()?;
        self.consume(Tok::Equal)?;
        let def = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(
            start,
            SpecBlockMember_::Let {
                name,
                post_state,
                def,
            },
        ))
    }

    fn parse_spec_include(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume_identifier("include")?;
        let properties = self.parse_condition_properties()?;
        let exp = self.parse_exp()?;
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(start, SpecBlockMember_::Include { properties, exp }))
    }

    fn parse_spec_apply(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume_identifier("apply")?;
        let exp = self.parse_exp()?;
        self.consume_identifier("to")?;
        let patterns = self.parse_spec_apply_patterns()?;
        let exclusion_patterns = if self.is_ident("except") {
            self.advance()?;
            self.parse_spec_apply_patterns()?
        } else {
            vec![]
        };
        self.consume(Tok::Semicolon)?;
        Ok(self.spanned(
            start,
            SpecBlockMember_::Apply {
                exp,
                patterns,
                exclusion_patterns,
            },
        ))
    }

    fn parse_spec_apply_patterns(&mut self) -> PResult<Vec<SpecApplyPattern>> {
        let mut v = vec![self.parse_spec_apply_pattern()?];
        while self.match_token(Tok::Comma)? {
            v.push(self.parse_spec_apply_pattern()?);
        }
        Ok(v)
    }

    fn parse_spec_apply_pattern(&mut self) -> PResult<SpecApplyPattern> {
        let start = self.start();
        let visibility = if let Some(loc) = self.consume_optional_with_loc(Tok::Public)? {
            Some(Visibility::Public(loc))
        } else if self.is_ident("internal") {
            self.advance()?;
            Some(Visibility::Internal)
        } else {
            None
        };
        // Name fragments (`*` or identifiers) must follow each other without space.
        let mut last_end = self.start() + self.content().len();
        let mut name_pattern = vec![self.parse_spec_apply_fragment()?];
        loop {
            let s = self.start();
            let adjacent = last_end == s;
            last_end = s + self.content().len();
            if !(adjacent && matches!(self.peek(), Tok::Identifier | Tok::Star)) {
                break;
            }
            name_pattern.push(self.parse_spec_apply_fragment()?);
        }
        let type_parameters = self.parse_optional_type_parameters()?;
        Ok(self.spanned(
            start,
            SpecApplyPattern_ {
                visibility,
                name_pattern,
                type_parameters,
            },
        ))
    }

    fn parse_spec_apply_fragment(&mut self) -> PResult<SpecApplyFragment> {
        let start = self.start();
        let f = match self.peek() {
            Tok::Identifier => SpecApplyFragment_::NamePart(self.parse_identifier()?),
            Tok::Star => {
                self.advance()?;
                SpecApplyFragment_::Wildcard
            }
            _ => return Err(self.unexpected("a name fragment or `*`")),
        };
        Ok(self.spanned(start, f))
    }

    fn parse_spec_pragma(&mut self) -> PResult<SpecBlockMember> {
        let start = self.start();
        self.consume_identifier("pragma")?;
        let properties = self.parse_comma_list_after_start(
            start,
            Tok::Identifier,
            Tok::Semicolon,
            Self::parse_spec_property,
            "a pragma property",
        )?;
        Ok(self.spanned(start, SpecBlockMember_::Pragma { properties }))
    }

    fn parse_spec_property(&mut self) -> PResult<PragmaProperty> {
        let start = self.start();
        let name = match self.consume_optional_with_loc(Tok::Friend)? {
            // `friend` is a keyword but also a pragma name.
            Some(loc) => Spanned::new(loc, Symbol::from("friend")),
            None => self.parse_identifier()?,
        };
        let value = if self.match_token(Tok::Equal)? {
            match self.peek() {
                Tok::AtSign
                | Tok::True
                | Tok::False
                | Tok::NumTypedValue
                | Tok::ByteStringValue => Some(PragmaValue::Literal(self.parse_value()?)),
                Tok::NumValue
                    if self
                        .tokens
                        .lookahead()
                        .map(|t| t != Tok::ColonColon)
                        .unwrap_or(true) =>
                {
                    Some(PragmaValue::Literal(self.parse_value()?))
                }
                _ => Some(PragmaValue::Ident(
                    self.parse_name_access_chain("an identifier as pragma value")?,
                )),
            }
        } else {
            None
        };
        Ok(self.spanned(start, PragmaProperty_ { name, value }))
    }

    fn singleton_spec_block(
        &mut self,
        start: usize,
        attributes: Vec<Attributes>,
        member: fn(&mut Self) -> PResult<SpecBlockMember>,
    ) -> PResult<SpecBlock> {
        let m = member(self)?;
        Ok(self.spanned(
            start,
            SpecBlock_ {
                attributes,
                target: Spanned::new(self.loc(start, start), SpecBlockTarget_::Module),
                uses: vec![],
                members: vec![m],
            },
        ))
    }

    // -----------------------------------------------------------------------------------------
    // File

    fn parse_definitions(&mut self) -> PResult<Vec<Definition>> {
        let mut defs = vec![];
        while self.peek() != Tok::EOF {
            let attributes = self.parse_attributes()?;
            defs.push(match self.peek() {
                Tok::Spec | Tok::Module => Definition::Module(self.parse_module(attributes)?),
                Tok::Script => Definition::Script(self.parse_script(attributes)?),
                _ => Definition::Address(self.parse_address_block(attributes)?),
            });
        }
        Ok(defs)
    }
}

/// Binding strength of a binary operator token; 0 for anything else.
fn precedence(tok: Tok) -> u32 {
    match tok {
        Tok::EqualEqualGreater | Tok::LessEqualEqualGreater => 2,
        Tok::PipePipe => 3,
        Tok::AmpAmp => 4,
        Tok::EqualEqual
        | Tok::ExclaimEqual
        | Tok::Less
        | Tok::Greater
        | Tok::LessEqual
        | Tok::GreaterEqual => 5,
        Tok::PeriodPeriod => 6,
        Tok::Pipe => 7,
        Tok::Caret => 8,
        Tok::Amp => 9,
        Tok::LessLess | Tok::GreaterGreater => 10,
        Tok::Plus | Tok::Minus => 11,
        Tok::Star | Tok::Slash | Tok::Percent => 12,
        _ => 0,
    }
}

/// The operator of a binary operator token (only called when `precedence(tok) > 0`).
fn binop(tok: Tok) -> BinOp_ {
    match tok {
        Tok::EqualEqual => BinOp_::Eq,
        Tok::ExclaimEqual => BinOp_::Neq,
        Tok::Less => BinOp_::Lt,
        Tok::Greater => BinOp_::Gt,
        Tok::LessEqual => BinOp_::Le,
        Tok::GreaterEqual => BinOp_::Ge,
        Tok::PipePipe => BinOp_::Or,
        Tok::AmpAmp => BinOp_::And,
        Tok::Caret => BinOp_::Xor,
        Tok::Pipe => BinOp_::BitOr,
        Tok::Amp => BinOp_::BitAnd,
        Tok::LessLess => BinOp_::Shl,
        Tok::GreaterGreater => BinOp_::Shr,
        Tok::Plus => BinOp_::Add,
        Tok::Minus => BinOp_::Sub,
        Tok::Star => BinOp_::Mul,
        Tok::Slash => BinOp_::Div,
        Tok::Percent => BinOp_::Mod,
        Tok::PeriodPeriod => BinOp_::Range,
        Tok::EqualEqualGreater => BinOp_::Implies,
        _ => BinOp_::Iff,
    }
}

/// The 32 bytes of a numeric address literal (decimal, or hex after `0x`; `_` ignored), or `None`
/// when it does not fit.
pub fn parse_address_literal(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if let Some(hex) = text.strip_prefix("0x") {
        let digits: Vec<u8> = hex
            .bytes()
            .filter(|b| *b != b'_')
            .map(|b| (b as char).to_digit(16).map(|d| d as u8))
            .collect::<Option<Vec<u8>>>()?;
        let significant = digits.iter().skip_while(|d| **d == 0).count();
        if digits.is_empty() || significant > 64 {
            return None;
        }
        for (i, d) in digits.iter().rev().enumerate().take(64) {
            out[31 - i / 2] |= if i % 2 == 0 { *d } else { *d << 4 };
        }
        Some(out)
    } else {
        let mut any = false;
        for b in text.bytes().filter(|b| *b != b'_') {
            let d = (b as char).to_digit(10)?;
            any = true;
            // out = out * 10 + d, big-endian.
            let mut carry = d;
            for byte in out.iter_mut().rev() {
                let v = (*byte as u32) * 10 + carry;
                *byte = (v & 0xff) as u8;
                carry = v >> 8;
            }
            if carry != 0 {
                return None;
            }
        }
        any.then_some(out)
    }
}
