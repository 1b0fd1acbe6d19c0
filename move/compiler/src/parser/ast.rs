//! The syntax tree the parser produces: one node per construct of the source language (modules,
//! scripts, members, expressions, types and the specification language), each with its source
//! span. It records what was written, not what it means: names are unresolved, numbers are kept as
//! text, and declaration order is source order. Later passes translate it into their own trees.
//!
//! Equality of two trees "modulo spans" is checked by formatting them with `{:-?}`: the `-` flag
//! makes every [`Loc`] print as `_`, so the rest of the derived `Debug` output is compared.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Identifies one source file among those a compilation reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Loc {
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Loc { file, start, end }
    }
}

impl fmt::Debug for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.sign_minus() {
            f.write_str("_")
        } else {
            write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
        }
    }
}

/// A value with the span it was parsed from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub loc: Loc,
    pub value: T,
}

impl<T> Spanned<T> {
    pub fn new(loc: Loc, value: T) -> Self {
        Spanned { loc, value }
    }
}

/// An identifier or literal text; cheap to clone.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol(Arc<str>);

impl Symbol {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Symbol {
    fn from(s: &str) -> Self {
        Symbol(Arc::from(s))
    }
}

impl std::ops::Deref for Symbol {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier with its span (module, struct, function, field, variable and other names).
pub type Name = Spanned<Symbol>;

// ---------------------------------------------------------------------------------------------
// Files and definitions

/// One parsed source file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub file: FileId,
    /// Top-level definitions in source order.
    pub definitions: Vec<Definition>,
    /// Documentation comments (`///` and `/** */`) keyed by the start offset of the item they
    /// precede; several comments before one item are joined with `\n`.
    pub doc_comments: BTreeMap<u32, String>,
}

#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Definition {
    Module(ModuleDefinition),
    Address(AddressDefinition),
    Script(Script),
}

/// `address <addr> { module ... }`.
#[derive(Clone, Debug)]
pub struct AddressDefinition {
    pub attributes: Vec<Attributes>,
    /// The span of the address after the `address` keyword.
    pub loc: Loc,
    pub addr: LeadingNameAccess,
    pub modules: Vec<ModuleDefinition>,
}

/// `script { uses; constants; fun; specs }`.
#[derive(Clone, Debug)]
pub struct Script {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub uses: Vec<UseDecl>,
    pub constants: Vec<Constant>,
    pub function: Function,
    pub specs: Vec<SpecBlock>,
}

/// `module [addr::]name { members }` or `spec [addr::]name { members }`.
#[derive(Clone, Debug)]
pub struct ModuleDefinition {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub address: Option<LeadingNameAccess>,
    pub name: Name,
    pub is_spec_module: bool,
    pub members: Vec<ModuleMember>,
}

#[derive(Clone, Debug)]
pub enum ModuleMember {
    Function(Function),
    Struct(StructDefinition),
    Use(UseDecl),
    Friend(FriendDecl),
    Constant(Constant),
    Spec(SpecBlock),
}

// ---------------------------------------------------------------------------------------------
// Uses, friends, attributes

#[derive(Clone, Debug)]
pub enum Use {
    /// `use a::m;` or `use a::m as alias;`
    Module(ModuleIdent, Option<Name>),
    /// `use a::m::x;`, `use a::m::x as y;` or `use a::m::{x, y as z};`
    Members(ModuleIdent, Vec<(Name, Option<Name>)>),
}

#[derive(Clone, Debug)]
pub struct UseDecl {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub use_: Use,
}

#[derive(Clone, Debug)]
pub struct FriendDecl {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub friend: NameAccessChain,
}

#[derive(Clone, Debug)]
pub enum AttributeValue_ {
    Value(Value),
    ModuleAccess(NameAccessChain),
}
pub type AttributeValue = Spanned<AttributeValue_>;

/// One attribute inside `#[...]`: `name`, `name = value` or `name(attr, ...)`. Attributes are
/// kept as data whatever their name; their meaning is checked later.
#[derive(Clone, Debug)]
pub enum Attribute_ {
    Name(Name),
    Assigned(Name, Box<AttributeValue>),
    Parameterized(Name, Spanned<Vec<Attribute>>),
}
pub type Attribute = Spanned<Attribute_>;

/// One `#[a, b(...)]` group.
pub type Attributes = Spanned<Vec<Attribute>>;

// ---------------------------------------------------------------------------------------------
// Names and addresses

/// A numeric address literal: its 32 bytes and the text it was written as.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NumericalAddress {
    pub bytes: [u8; 32],
    pub text: Symbol,
}

impl fmt::Debug for NumericalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumericalAddress({})", self.text)
    }
}

/// The leading part of an access: a numeric address or a name (named address, module, ...).
#[derive(Clone, Debug)]
pub enum LeadingNameAccess_ {
    /// Boxed to keep names small (addresses in names are rare).
    AnonymousAddress(Box<NumericalAddress>),
    Name(Name),
}
pub type LeadingNameAccess = Spanned<LeadingNameAccess_>;

/// `addr::module`.
#[derive(Clone, Debug)]
pub struct ModuleIdent_ {
    pub address: LeadingNameAccess,
    pub module: Name,
}
pub type ModuleIdent = Spanned<ModuleIdent_>;

/// `a`, `a::b` or `a::b::c`.
#[derive(Clone, Debug)]
pub enum NameAccessChain_ {
    One(Name),
    Two(LeadingNameAccess, Name),
    Three(Spanned<(LeadingNameAccess, Name)>, Name),
}
pub type NameAccessChain = Spanned<NameAccessChain_>;

// ---------------------------------------------------------------------------------------------
// Structs, functions, constants

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ability_ {
    Copy,
    Drop,
    Store,
    Key,
}
pub type Ability = Spanned<Ability_>;

impl Ability_ {
    pub fn as_str(self) -> &'static str {
        match self {
            Ability_::Copy => "copy",
            Ability_::Drop => "drop",
            Ability_::Store => "store",
            Ability_::Key => "key",
        }
    }
}

/// A type parameter of a function, schema, invariant or axiom, with its constraints.
pub type TypeParameter = (Name, Vec<Ability>);

#[derive(Clone, Debug)]
pub struct StructTypeParameter {
    pub is_phantom: bool,
    pub name: Name,
    pub constraints: Vec<Ability>,
}

#[derive(Clone, Debug)]
pub struct StructDefinition {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub abilities: Vec<Ability>,
    pub name: Name,
    pub type_parameters: Vec<StructTypeParameter>,
    pub fields: StructFields,
}

#[derive(Clone, Debug)]
pub enum StructFields {
    Defined(Vec<(Name, Type)>),
    /// `native struct S;` with the span of `native`.
    Native(Loc),
}

#[derive(Clone, Debug)]
pub struct FunctionSignature {
    pub type_parameters: Vec<TypeParameter>,
    pub parameters: Vec<(Name, Type)>,
    /// `()` with the function name's span when no return type is written.
    pub return_type: Type,
}

#[derive(Clone, Debug)]
pub enum Visibility {
    Public(Loc),
    /// `public(script)`, deprecated in favour of `entry`.
    Script(Loc),
    Friend(Loc),
    Internal,
}

#[derive(Clone, Debug)]
pub enum FunctionBody_ {
    Defined(Sequence),
    Native,
}
pub type FunctionBody = Spanned<FunctionBody_>;

#[derive(Clone, Debug)]
pub struct Function {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub visibility: Visibility,
    /// The span of `entry` (or of `public(script)`, which implies it).
    pub entry: Option<Loc>,
    /// The span of `native`.
    pub native: Option<Loc>,
    pub signature: FunctionSignature,
    pub acquires: Vec<NameAccessChain>,
    pub name: Name,
    pub inline: bool,
    pub body: FunctionBody,
}

#[derive(Clone, Debug)]
pub struct Constant {
    pub attributes: Vec<Attributes>,
    pub loc: Loc,
    pub signature: Type,
    pub name: Name,
    pub value: Exp,
}

// ---------------------------------------------------------------------------------------------
// Specifications

#[derive(Clone, Debug)]
pub struct SpecBlock_ {
    pub attributes: Vec<Attributes>,
    pub target: SpecBlockTarget,
    pub uses: Vec<UseDecl>,
    pub members: Vec<SpecBlockMember>,
}
pub type SpecBlock = Spanned<SpecBlock_>;

#[derive(Clone, Debug)]
pub enum SpecBlockTarget_ {
    /// `spec { ... }` inside code.
    Code,
    /// `spec module { ... }`, and the implicit target of a module-level `invariant` or `spec fun`.
    Module,
    /// `spec name { ... }` or `spec name<T>(params): ret { ... }`.
    Member(Name, Option<Box<FunctionSignature>>),
    /// `spec schema Name<T> { ... }`.
    Schema(Name, Vec<TypeParameter>),
}
pub type SpecBlockTarget = Spanned<SpecBlockTarget_>;

#[derive(Clone, Debug)]
pub struct PragmaProperty_ {
    pub name: Name,
    pub value: Option<PragmaValue>,
}
pub type PragmaProperty = Spanned<PragmaProperty_>;

#[derive(Clone, Debug)]
pub enum PragmaValue {
    Literal(Value),
    Ident(NameAccessChain),
}

#[derive(Clone, Debug)]
pub struct SpecApplyPattern_ {
    pub visibility: Option<Visibility>,
    pub name_pattern: Vec<SpecApplyFragment>,
    pub type_parameters: Vec<TypeParameter>,
}
pub type SpecApplyPattern = Spanned<SpecApplyPattern_>;

#[derive(Clone, Debug)]
pub enum SpecApplyFragment_ {
    Wildcard,
    NamePart(Name),
}
pub type SpecApplyFragment = Spanned<SpecApplyFragment_>;

#[derive(Clone, Debug)]
pub enum SpecBlockMember_ {
    /// `ensures e;`, `aborts_if e with c;`, `aborts_with a, b;`, `modifies r;`,
    /// `emits m to h if c;`, `invariant e;`, `axiom e;` and the other conditions.
    Condition {
        kind: SpecConditionKind,
        properties: Vec<PragmaProperty>,
        /// The condition; absent for `aborts_with` and `modifies`, whose operands are all in
        /// `additional_exps`.
        exp: Option<Exp>,
        additional_exps: Vec<Exp>,
    },
    /// `fun f(..): T { .. }`, `fun f(..): T;` (uninterpreted) or `native fun f(..): T;`.
    Function {
        uninterpreted: bool,
        native: bool,
        name: Name,
        signature: FunctionSignature,
        body: FunctionBody,
    },
    /// `global x: T [= e];`, `local x: T;` or `x: T;`.
    Variable {
        is_global: bool,
        /// Whether `local` was written.
        is_local: bool,
        name: Name,
        type_parameters: Vec<TypeParameter>,
        type_: Type,
        init: Option<Exp>,
    },
    /// `let [post] x = e;`
    Let {
        name: Name,
        post_state: bool,
        def: Exp,
    },
    /// `update lhs = rhs;`
    Update { lhs: Exp, rhs: Exp },
    /// `include [props] e;`
    Include {
        properties: Vec<PragmaProperty>,
        exp: Exp,
    },
    /// `apply e to patterns [except patterns];`
    Apply {
        exp: Exp,
        patterns: Vec<SpecApplyPattern>,
        exclusion_patterns: Vec<SpecApplyPattern>,
    },
    /// `pragma a, b = v;`
    Pragma { properties: Vec<PragmaProperty> },
}
pub type SpecBlockMember = Spanned<SpecBlockMember_>;

#[derive(Clone, Debug)]
pub enum SpecConditionKind_ {
    Assert,
    Assume,
    Decreases,
    AbortsIf,
    AbortsWith,
    SucceedsIf,
    Modifies,
    Emits,
    Ensures,
    Requires,
    Invariant(Vec<TypeParameter>),
    InvariantUpdate(Vec<TypeParameter>),
    Axiom(Vec<TypeParameter>),
}
pub type SpecConditionKind = Spanned<SpecConditionKind_>;

impl SpecConditionKind_ {
    /// The keyword that introduces the condition.
    pub fn keyword(&self) -> &'static str {
        match self {
            SpecConditionKind_::Assert => "assert",
            SpecConditionKind_::Assume => "assume",
            SpecConditionKind_::Decreases => "decreases",
            SpecConditionKind_::AbortsIf => "aborts_if",
            SpecConditionKind_::AbortsWith => "aborts_with",
            SpecConditionKind_::SucceedsIf => "succeeds_if",
            SpecConditionKind_::Modifies => "modifies",
            SpecConditionKind_::Emits => "emits",
            SpecConditionKind_::Ensures => "ensures",
            SpecConditionKind_::Requires => "requires",
            SpecConditionKind_::Invariant(_) | SpecConditionKind_::InvariantUpdate(_) => {
                "invariant"
            }
            SpecConditionKind_::Axiom(_) => "axiom",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Types, bindings, values, expressions

#[derive(Clone, Debug)]
pub enum Type_ {
    Apply(Box<NameAccessChain>, Vec<Type>),
    /// `&T` (false) or `&mut T` (true).
    Ref(bool, Box<Type>),
    /// `|A, B| R` (specs and inline-function parameters).
    Fun(Vec<Type>, Box<Type>),
    Unit,
    Multiple(Vec<Type>),
}
pub type Type = Spanned<Type_>;

#[derive(Clone, Debug)]
pub enum Bind_ {
    Var(Name),
    Unpack(Box<NameAccessChain>, Option<Vec<Type>>, Vec<(Name, Bind)>),
}
pub type Bind = Spanned<Bind_>;
pub type BindList = Spanned<Vec<Bind>>;

#[derive(Clone, Debug)]
pub enum Value_ {
    /// `@0x1` or `@name`.
    Address(LeadingNameAccess),
    /// The literal as written, suffix and `_` included (`1_000u64`, `0xff`).
    Num(Symbol),
    Bool(bool),
    /// The text between the quotes of `x"..."`.
    HexString(Symbol),
    /// The text between the quotes of `b"..."`, escapes not yet decoded.
    ByteString(Symbol),
}
pub type Value = Spanned<Value_>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp_ {
    Not,
}
pub type UnaryOp = Spanned<UnaryOp_>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp_ {
    Add,
    Sub,
    Mul,
    Mod,
    Div,
    BitOr,
    BitAnd,
    Xor,
    Shl,
    Shr,
    Range,
    Implies,
    Iff,
    And,
    Or,
    Eq,
    Neq,
    Lt,
    Gt,
    Le,
    Ge,
}
pub type BinOp = Spanned<BinOp_>;

impl BinOp_ {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp_::Add => "+",
            BinOp_::Sub => "-",
            BinOp_::Mul => "*",
            BinOp_::Mod => "%",
            BinOp_::Div => "/",
            BinOp_::BitOr => "|",
            BinOp_::BitAnd => "&",
            BinOp_::Xor => "^",
            BinOp_::Shl => "<<",
            BinOp_::Shr => ">>",
            BinOp_::Range => "..",
            BinOp_::Implies => "==>",
            BinOp_::Iff => "<==>",
            BinOp_::And => "&&",
            BinOp_::Or => "||",
            BinOp_::Eq => "==",
            BinOp_::Neq => "!=",
            BinOp_::Lt => "<",
            BinOp_::Gt => ">",
            BinOp_::Le => "<=",
            BinOp_::Ge => ">=",
        }
    }

    /// Binding strength, 2 (weakest) to 12 (strongest); all binary operators are left-associative.
    pub fn precedence(self) -> u32 {
        match self {
            BinOp_::Implies | BinOp_::Iff => 2,
            BinOp_::Or => 3,
            BinOp_::And => 4,
            BinOp_::Eq | BinOp_::Neq | BinOp_::Lt | BinOp_::Gt | BinOp_::Le | BinOp_::Ge => 5,
            BinOp_::Range => 6,
            BinOp_::BitOr => 7,
            BinOp_::Xor => 8,
            BinOp_::BitAnd => 9,
            BinOp_::Shl | BinOp_::Shr => 10,
            BinOp_::Add | BinOp_::Sub => 11,
            BinOp_::Mul | BinOp_::Div | BinOp_::Mod => 12,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantKind_ {
    Forall,
    Exists,
    Choose,
    ChooseMin,
}
pub type QuantKind = Spanned<QuantKind_>;

/// The domain of one quantified variable.
#[derive(Clone, Debug)]
pub enum QuantRange {
    /// `x: T`, every value of the type.
    Type(Type),
    /// `x in e`, the elements of a vector or range.
    In(Exp),
}

/// `x: T` or `x in e` in a quantifier.
pub type QuantBind = Spanned<(Name, QuantRange)>;

#[derive(Clone, Debug)]
pub enum Exp_ {
    Value(Value),
    Move(Name),
    Copy(Name),
    /// A name, with type arguments when `<` follows it without space. Names are boxed here
    /// and in `Call` and `Pack` to keep `Exp` small: vectors of literals hold many of them.
    Name(Box<NameAccessChain>, Option<Vec<Type>>),
    /// `f(args)`, `f<T>(args)` or `m!(args)` (the flag: called with `!`).
    Call(
        Box<NameAccessChain>,
        bool,
        Option<Vec<Type>>,
        Spanned<Vec<Exp>>,
    ),
    /// `S { f: e, g }`.
    Pack(Box<NameAccessChain>, Option<Vec<Type>>, Vec<(Name, Exp)>),
    /// `vector[...]` or `vector<T>[...]`, with the span of the `vector` keyword.
    Vector(Loc, Option<Vec<Type>>, Spanned<Vec<Exp>>),
    IfElse(Box<Exp>, Box<Exp>, Option<Box<Exp>>),
    /// `while (cond) body`, and the loop-invariant `spec { .. }` written after the body.
    While(Box<Exp>, Box<Exp>, Option<Box<SpecBlock>>),
    Loop(Box<Exp>),
    Block(Sequence),
    /// `|binds| body`.
    Lambda(BindList, Box<Exp>),
    /// `forall`/`exists x: T, y in e {triggers} where c: body`, `choose [min] x: T where c`.
    Quant(
        QuantKind,
        Spanned<Vec<QuantBind>>,
        Vec<Vec<Exp>>,
        Option<Box<Exp>>,
        Box<Exp>,
    ),
    /// `(a, b, ...)` with at least two elements.
    ExpList(Vec<Exp>),
    /// `()`.
    Unit,
    Assign(Box<Exp>, Box<Exp>),
    Return(Option<Box<Exp>>),
    Abort(Box<Exp>),
    Break,
    Continue,
    Dereference(Box<Exp>),
    UnaryExp(UnaryOp, Box<Exp>),
    BinopExp(Box<Exp>, BinOp, Box<Exp>),
    /// `&e` (false) or `&mut e` (true).
    Borrow(bool, Box<Exp>),
    Dot(Box<Exp>, Name),
    Index(Box<Exp>, Box<Exp>),
    /// `(e as T)`.
    Cast(Box<Exp>, Type),
    /// `(e: T)`.
    Annotate(Box<Exp>, Type),
    Spec(Box<SpecBlock>),
}
pub type Exp = Spanned<Exp_>;

/// The contents of a `{ ... }` block.
#[derive(Clone, Debug)]
pub struct Sequence {
    pub uses: Vec<UseDecl>,
    /// Items each followed by `;`.
    pub items: Vec<SequenceItem>,
    /// The span of the last `;`.
    pub last_semicolon: Option<Loc>,
    /// The final expression without `;`, the block's value.
    pub result: Option<Box<Exp>>,
}

#[derive(Clone, Debug)]
pub enum SequenceItem_ {
    Seq(Box<Exp>),
    /// `let b: T;`
    Declare(BindList, Option<Type>),
    /// `let b: T = e;`
    Bind(BindList, Option<Type>, Box<Exp>),
}
pub type SequenceItem = Spanned<SequenceItem_>;
