//! The in-memory model of a compiled Move module or script (binary format v5–v7, as written by
//! the 0L fork: `bytecode-format.md`).
//!
//! Every table of the binary is a `Vec` on [`CompiledModule`] / [`CompiledScript`], in file
//! order; entries refer to each other through the typed index newtypes below (0-based positions
//! in the target table). Names follow the upstream `move-binary-format` crate so that code
//! written against it reads the same here.

use std::fmt;

use crate::types::{AccountAddress, Identifier, ModuleId, U256};

// ---------------------------------------------------------------------------------------------
// Versions and limits
// ---------------------------------------------------------------------------------------------

/// The magic bytes every binary starts with.
pub const MOVE_MAGIC: [u8; 4] = [0xa1, 0x1c, 0xeb, 0x0b];
/// Bytecode version 5: metadata section and the `entry` flag.
pub const VERSION_5: u32 = 5;
/// Bytecode version 6: `u16`, `u32`, `u256` and their opcodes. Everything in 0L is v6.
pub const VERSION_6: u32 = 6;
/// Bytecode version 7 (Aptos layout): function handles carry an access-specifier option. Read and
/// written only when no v7-only construct is present (no access specifiers, enums or variants).
pub const VERSION_7: u32 = 7;
/// Oldest version this crate reads and writes.
pub const VERSION_MIN: u32 = VERSION_5;
/// Newest version this crate reads and writes.
pub const VERSION_MAX: u32 = VERSION_7;
/// Aptos marks version words from 7 on with this mask (`07 00 00 0a`). The reader accepts v7 with
/// or without it; the writer, like upstream, sets it.
pub const APTOS_BYTECODE_VERSION_MASK: u32 = 0x0A00_0000;

/// Numeric limits of the format (`bytecode-format.md` §11).
pub mod limits {
    /// Tables in the directory.
    pub const TABLE_COUNT_MAX: u64 = 255;
    /// Directory offsets.
    pub const TABLE_OFFSET_MAX: u64 = u32::MAX as u64;
    /// Directory lengths.
    pub const TABLE_SIZE_MAX: u64 = u32::MAX as u64;
    /// Every index into a table.
    pub const TABLE_INDEX_MAX: u64 = 65535;
    /// Instructions per code unit.
    pub const BYTECODE_COUNT_MAX: u64 = 65535;
    /// Branch targets.
    pub const BYTECODE_INDEX_MAX: u64 = 65535;
    /// Local indexes.
    pub const LOCAL_INDEX_MAX: u64 = 255;
    /// Identifier bytes.
    pub const IDENTIFIER_SIZE_MAX: u64 = 65535;
    /// Constant data bytes.
    pub const CONSTANT_SIZE_MAX: u64 = 65535;
    /// Metadata key bytes.
    pub const METADATA_KEY_SIZE_MAX: u64 = 1023;
    /// Metadata value bytes.
    pub const METADATA_VALUE_SIZE_MAX: u64 = 65535;
    /// Tokens per signature.
    pub const SIGNATURE_SIZE_MAX: u64 = 255;
    /// Type parameters of a struct or function; also type arguments of an instantiation token.
    pub const TYPE_PARAMETER_COUNT_MAX: u64 = 255;
    /// Type parameter index in a `TypeParameter` token.
    pub const TYPE_PARAMETER_INDEX_MAX: u64 = 65536;
    /// Fields of a struct.
    pub const FIELD_COUNT_MAX: u64 = 255;
    /// Field offset in a field handle.
    pub const FIELD_OFFSET_MAX: u64 = 255;
    /// Entries in an acquires list.
    pub const ACQUIRES_COUNT_MAX: u64 = 255;
    /// Nodes on any root-to-leaf path of a signature token.
    pub const SIGNATURE_TOKEN_DEPTH_MAX: usize = 256;
}

// ---------------------------------------------------------------------------------------------
// Index newtypes
// ---------------------------------------------------------------------------------------------

/// The integer type of every table index.
pub type TableIndex = u16;
/// A local variable index (parameters first, then the code unit's locals).
pub type LocalIndex = u8;
/// A code offset: an instruction index within a code unit, not a byte offset.
pub type CodeOffset = u16;
/// A type parameter index in a `TypeParameter` token.
pub type TypeParameterIndex = u16;
/// The position of a field within its struct.
pub type MemberCount = u16;

macro_rules! define_index {
    ($(#[$doc:meta])* $name:ident, $table:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub TableIndex);

        impl $name {
            /// Wraps a raw index.
            pub const fn new(index: TableIndex) -> Self {
                Self(index)
            }
            /// The index as `usize`, for indexing the table.
            pub const fn into_index(self) -> usize {
                self.0 as usize
            }
            /// The table this index points into.
            pub const TABLE: TableKind = TableKind::$table;
            /// The short prefix used in listings, e.g. `FH` for function handles.
            pub const PREFIX: &'static str = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }

        impl From<$name> for usize {
            fn from(index: $name) -> usize {
                index.0 as usize
            }
        }
    };
}

define_index!(
    /// Index into `module_handles`.
    ModuleHandleIndex, ModuleHandles, "MH");
define_index!(
    /// Index into `struct_handles`.
    StructHandleIndex, StructHandles, "SH");
define_index!(
    /// Index into `function_handles`.
    FunctionHandleIndex, FunctionHandles, "FH");
define_index!(
    /// Index into `field_handles`.
    FieldHandleIndex, FieldHandles, "FLD");
define_index!(
    /// Index into `struct_def_instantiations`.
    StructDefInstantiationIndex, StructDefInstantiations, "SDI");
define_index!(
    /// Index into `function_instantiations`.
    FunctionInstantiationIndex, FunctionInstantiations, "FI");
define_index!(
    /// Index into `field_instantiations`.
    FieldInstantiationIndex, FieldInstantiations, "FLDI");
define_index!(
    /// Index into `signatures`.
    SignatureIndex, Signatures, "SIG");
define_index!(
    /// Index into `identifiers`.
    IdentifierIndex, Identifiers, "IDENT");
define_index!(
    /// Index into `address_identifiers`.
    AddressIdentifierIndex, AddressIdentifiers, "ADDR");
define_index!(
    /// Index into `constant_pool`.
    ConstantPoolIndex, ConstantPool, "CONST");
define_index!(
    /// Index into `struct_defs`.
    StructDefinitionIndex, StructDefinitions, "SD");
define_index!(
    /// Index into `function_defs`.
    FunctionDefinitionIndex, FunctionDefinitions, "FD");

// ---------------------------------------------------------------------------------------------
// Table kinds
// ---------------------------------------------------------------------------------------------

/// The kinds of table in the table directory (`bytecode-format.md` §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TableKind {
    ModuleHandles = 0x01,
    StructHandles = 0x02,
    FunctionHandles = 0x03,
    FunctionInstantiations = 0x04,
    Signatures = 0x05,
    ConstantPool = 0x06,
    Identifiers = 0x07,
    AddressIdentifiers = 0x08,
    StructDefinitions = 0x0A,
    StructDefInstantiations = 0x0B,
    FunctionDefinitions = 0x0C,
    FieldHandles = 0x0D,
    FieldInstantiations = 0x0E,
    FriendDecls = 0x0F,
    Metadata = 0x10,
}

impl TableKind {
    /// Every table kind, in the order the upstream writer emits them.
    pub const WRITER_ORDER: [TableKind; 15] = [
        TableKind::ModuleHandles,
        TableKind::StructHandles,
        TableKind::FunctionHandles,
        TableKind::FunctionInstantiations,
        TableKind::Signatures,
        TableKind::Identifiers,
        TableKind::AddressIdentifiers,
        TableKind::ConstantPool,
        TableKind::Metadata,
        TableKind::StructDefinitions,
        TableKind::StructDefInstantiations,
        TableKind::FunctionDefinitions,
        TableKind::FieldHandles,
        TableKind::FieldInstantiations,
        TableKind::FriendDecls,
    ];

    /// The kind for a directory byte, if it names a table of this format.
    pub fn from_u8(byte: u8) -> Option<TableKind> {
        Some(match byte {
            0x01 => TableKind::ModuleHandles,
            0x02 => TableKind::StructHandles,
            0x03 => TableKind::FunctionHandles,
            0x04 => TableKind::FunctionInstantiations,
            0x05 => TableKind::Signatures,
            0x06 => TableKind::ConstantPool,
            0x07 => TableKind::Identifiers,
            0x08 => TableKind::AddressIdentifiers,
            0x0A => TableKind::StructDefinitions,
            0x0B => TableKind::StructDefInstantiations,
            0x0C => TableKind::FunctionDefinitions,
            0x0D => TableKind::FieldHandles,
            0x0E => TableKind::FieldInstantiations,
            0x0F => TableKind::FriendDecls,
            0x10 => TableKind::Metadata,
            _ => return None,
        })
    }

    /// The directory byte.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The upstream name, e.g. `FUNCTION_HANDLES`.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::ModuleHandles => "MODULE_HANDLES",
            TableKind::StructHandles => "STRUCT_HANDLES",
            TableKind::FunctionHandles => "FUNCTION_HANDLES",
            TableKind::FunctionInstantiations => "FUNCTION_INST",
            TableKind::Signatures => "SIGNATURES",
            TableKind::ConstantPool => "CONSTANT_POOL",
            TableKind::Identifiers => "IDENTIFIERS",
            TableKind::AddressIdentifiers => "ADDRESS_IDENTIFIERS",
            TableKind::StructDefinitions => "STRUCT_DEFS",
            TableKind::StructDefInstantiations => "STRUCT_DEF_INST",
            TableKind::FunctionDefinitions => "FUNCTION_DEFS",
            TableKind::FieldHandles => "FIELD_HANDLE",
            TableKind::FieldInstantiations => "FIELD_INST",
            TableKind::FriendDecls => "FRIEND_DECLS",
            TableKind::Metadata => "METADATA",
        }
    }

    /// Whether scripts may contain this table (module-only tables are rejected in scripts).
    pub fn allowed_in_script(self) -> bool {
        !matches!(
            self,
            TableKind::StructDefinitions
                | TableKind::StructDefInstantiations
                | TableKind::FunctionDefinitions
                | TableKind::FieldHandles
                | TableKind::FieldInstantiations
                | TableKind::FriendDecls
        )
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// Abilities and visibility
// ---------------------------------------------------------------------------------------------

/// One ability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Ability {
    Copy = 0x1,
    Drop = 0x2,
    Store = 0x4,
    Key = 0x8,
}

impl Ability {
    /// All abilities in bit order.
    pub const ALL: [Ability; 4] = [Ability::Copy, Ability::Drop, Ability::Store, Ability::Key];

    /// The source keyword.
    pub fn name(self) -> &'static str {
        match self {
            Ability::Copy => "copy",
            Ability::Drop => "drop",
            Ability::Store => "store",
            Ability::Key => "key",
        }
    }
}

impl fmt::Display for Ability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of abilities (bit set: copy 1, drop 2, store 4, key 8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbilitySet(u8);

impl AbilitySet {
    /// No abilities.
    pub const EMPTY: AbilitySet = AbilitySet(0);
    /// All four abilities.
    pub const ALL: AbilitySet = AbilitySet(0xF);
    /// The abilities of primitive types: copy, drop, store.
    pub const PRIMITIVES: AbilitySet = AbilitySet(0x7);

    /// From the bit set; `None` if unknown bits are set.
    pub fn from_u8(bits: u8) -> Option<AbilitySet> {
        (bits & !0xF == 0).then_some(AbilitySet(bits))
    }

    /// The bit set.
    pub fn into_u8(self) -> u8 {
        self.0
    }

    /// Whether the set has `ability`.
    pub fn has(self, ability: Ability) -> bool {
        self.0 & ability as u8 != 0
    }

    /// The set plus `ability`.
    pub fn with(self, ability: Ability) -> AbilitySet {
        AbilitySet(self.0 | ability as u8)
    }

    /// Whether `self` contains every ability of `other`.
    pub fn is_superset_of(self, other: AbilitySet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The abilities in the set, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Ability> {
        Ability::ALL.into_iter().filter(move |a| self.has(*a))
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr<Ability> for AbilitySet {
    type Output = AbilitySet;
    fn bitor(self, rhs: Ability) -> AbilitySet {
        self.with(rhs)
    }
}

impl std::ops::BitOr for AbilitySet {
    type Output = AbilitySet;
    fn bitor(self, rhs: AbilitySet) -> AbilitySet {
        AbilitySet(self.0 | rhs.0)
    }
}

impl FromIterator<Ability> for AbilitySet {
    fn from_iter<I: IntoIterator<Item = Ability>>(iter: I) -> Self {
        iter.into_iter().fold(AbilitySet::EMPTY, |set, a| set | a)
    }
}

impl fmt::Display for AbilitySet {
    /// `copy + drop + store`, or the empty string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Ability::name).collect();
        f.write_str(&names.join(" + "))
    }
}

/// Function visibility (`bytecode-format.md` §4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Visibility {
    /// Callable only from its own module (`0x00`).
    #[default]
    Private = 0x00,
    /// Callable from anywhere (`0x01`).
    Public = 0x01,
    /// Callable from the module's friends (`0x03`).
    Friend = 0x03,
}

impl Visibility {
    /// The deprecated `script` visibility byte, rejected from v5 on.
    pub const DEPRECATED_SCRIPT: u8 = 0x02;

    /// From the visibility byte.
    pub fn from_u8(byte: u8) -> Option<Visibility> {
        match byte {
            0x00 => Some(Visibility::Private),
            0x01 => Some(Visibility::Public),
            0x03 => Some(Visibility::Friend),
            _ => None,
        }
    }

    /// The source keyword (`private` has none in source; this returns it anyway).
    pub fn name(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Public => "public",
            Visibility::Friend => "public(friend)",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// ---------------------------------------------------------------------------------------------
// Table entries
// ---------------------------------------------------------------------------------------------

/// A module referenced by this unit (MODULE_HANDLES) or declared a friend (FRIEND_DECLS).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModuleHandle {
    /// The module's address.
    pub address: AddressIdentifierIndex,
    /// The module's name.
    pub name: IdentifierIndex,
}

/// A type parameter of a struct: its constraints and whether it is phantom.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StructTypeParameter {
    /// Abilities every type argument must have.
    pub constraints: AbilitySet,
    /// Whether the parameter is declared `phantom`.
    pub is_phantom: bool,
}

/// A struct type referenced by this unit (declared here or elsewhere).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructHandle {
    /// The declaring module.
    pub module: ModuleHandleIndex,
    /// The struct name.
    pub name: IdentifierIndex,
    /// The struct's declared abilities.
    pub abilities: AbilitySet,
    /// Its type parameters.
    pub type_parameters: Vec<StructTypeParameter>,
}

impl StructHandle {
    /// Just the constraints of the type parameters.
    pub fn type_param_constraints(&self) -> impl Iterator<Item = AbilitySet> + '_ {
        self.type_parameters.iter().map(|p| p.constraints)
    }
}

/// A function referenced by this unit (declared here or elsewhere).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionHandle {
    /// The declaring module.
    pub module: ModuleHandleIndex,
    /// The function name.
    pub name: IdentifierIndex,
    /// The parameter types.
    pub parameters: SignatureIndex,
    /// The return types.
    pub return_: SignatureIndex,
    /// One constraint set per type parameter.
    pub type_parameters: Vec<AbilitySet>,
}

/// A field of a struct definition, referenced by borrow instructions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldHandle {
    /// The struct that has the field.
    pub owner: StructDefinitionIndex,
    /// The field's position in the struct.
    pub field: MemberCount,
}

/// A generic struct definition applied to type arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructDefInstantiation {
    /// The generic struct.
    pub def: StructDefinitionIndex,
    /// The type arguments.
    pub type_parameters: SignatureIndex,
}

/// A generic function applied to type arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionInstantiation {
    /// The generic function.
    pub handle: FunctionHandleIndex,
    /// The type arguments.
    pub type_parameters: SignatureIndex,
}

/// A field of a generic struct applied to type arguments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldInstantiation {
    /// The field.
    pub handle: FieldHandleIndex,
    /// The type arguments of its struct.
    pub type_parameters: SignatureIndex,
}

/// A list of types: parameters, returns, locals, type arguments or a vector element type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Signature(pub Vec<SignatureToken>);

impl Signature {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the signature is `()`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tokens.
    pub fn tokens(&self) -> &[SignatureToken] {
        &self.0
    }
}

/// The type of a struct field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeSignature(pub SignatureToken);

/// A type, as written in signatures, fields and constants (`bytecode-format.md` §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignatureToken {
    /// `bool` (tag `01`).
    Bool,
    /// `u8` (tag `02`).
    U8,
    /// `u16` (tag `0D`, v6+).
    U16,
    /// `u32` (tag `0E`, v6+).
    U32,
    /// `u64` (tag `03`).
    U64,
    /// `u128` (tag `04`).
    U128,
    /// `u256` (tag `0F`, v6+).
    U256,
    /// `address` (tag `05`).
    Address,
    /// `signer` (tag `0C`).
    Signer,
    /// `vector<T>` (tag `0A`).
    Vector(Box<SignatureToken>),
    /// A non-generic struct (tag `08`).
    Struct(StructHandleIndex),
    /// A generic struct with its type arguments (tag `0B`).
    StructInstantiation(StructHandleIndex, Vec<SignatureToken>),
    /// `&T` (tag `06`).
    Reference(Box<SignatureToken>),
    /// `&mut T` (tag `07`).
    MutableReference(Box<SignatureToken>),
    /// A type parameter of the enclosing function or struct (tag `09`).
    TypeParameter(TypeParameterIndex),
}

/// The one-byte tags of signature tokens.
pub mod type_tags {
    pub const BOOL: u8 = 0x01;
    pub const U8: u8 = 0x02;
    pub const U64: u8 = 0x03;
    pub const U128: u8 = 0x04;
    pub const ADDRESS: u8 = 0x05;
    pub const REFERENCE: u8 = 0x06;
    pub const MUTABLE_REFERENCE: u8 = 0x07;
    pub const STRUCT: u8 = 0x08;
    pub const TYPE_PARAMETER: u8 = 0x09;
    pub const VECTOR: u8 = 0x0A;
    pub const STRUCT_INST: u8 = 0x0B;
    pub const SIGNER: u8 = 0x0C;
    pub const U16: u8 = 0x0D;
    pub const U32: u8 = 0x0E;
    pub const U256: u8 = 0x0F;
}

impl SignatureToken {
    /// The token's tag byte.
    pub fn tag(&self) -> u8 {
        use type_tags as t;
        match self {
            SignatureToken::Bool => t::BOOL,
            SignatureToken::U8 => t::U8,
            SignatureToken::U16 => t::U16,
            SignatureToken::U32 => t::U32,
            SignatureToken::U64 => t::U64,
            SignatureToken::U128 => t::U128,
            SignatureToken::U256 => t::U256,
            SignatureToken::Address => t::ADDRESS,
            SignatureToken::Signer => t::SIGNER,
            SignatureToken::Vector(_) => t::VECTOR,
            SignatureToken::Struct(_) => t::STRUCT,
            SignatureToken::StructInstantiation(..) => t::STRUCT_INST,
            SignatureToken::Reference(_) => t::REFERENCE,
            SignatureToken::MutableReference(_) => t::MUTABLE_REFERENCE,
            SignatureToken::TypeParameter(_) => t::TYPE_PARAMETER,
        }
    }

    /// Whether this is an integer type.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SignatureToken::U8
                | SignatureToken::U16
                | SignatureToken::U32
                | SignatureToken::U64
                | SignatureToken::U128
                | SignatureToken::U256
        )
    }

    /// Whether this is `&T` or `&mut T`.
    pub fn is_reference(&self) -> bool {
        matches!(
            self,
            SignatureToken::Reference(_) | SignatureToken::MutableReference(_)
        )
    }

    /// Whether this is `&mut T`.
    pub fn is_mutable_reference(&self) -> bool {
        matches!(self, SignatureToken::MutableReference(_))
    }

    /// Whether this is `signer`.
    pub fn is_signer(&self) -> bool {
        matches!(self, SignatureToken::Signer)
    }

    /// Whether the type is a valid constant type: a primitive (not signer) or a vector of one.
    pub fn is_valid_for_constant(&self) -> bool {
        match self {
            SignatureToken::Bool
            | SignatureToken::U8
            | SignatureToken::U16
            | SignatureToken::U32
            | SignatureToken::U64
            | SignatureToken::U128
            | SignatureToken::U256
            | SignatureToken::Address => true,
            SignatureToken::Vector(inner) => inner.is_valid_for_constant(),
            _ => false,
        }
    }

    /// The struct handle of a `Struct` or `StructInstantiation` token.
    pub fn struct_handle(&self) -> Option<StructHandleIndex> {
        match self {
            SignatureToken::Struct(idx) | SignatureToken::StructInstantiation(idx, _) => Some(*idx),
            _ => None,
        }
    }

    /// The tokens in pre-order (the order they are written), without recursion.
    pub fn preorder(&self) -> Vec<&SignatureToken> {
        self.preorder_with_depth()
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    /// The tokens in pre-order with their depth (the root has depth 1), without recursion.
    pub fn preorder_with_depth(&self) -> Vec<(&SignatureToken, usize)> {
        let mut out = Vec::new();
        let mut stack = vec![(self, 1usize)];
        while let Some((token, depth)) = stack.pop() {
            out.push((token, depth));
            match token {
                SignatureToken::Vector(inner)
                | SignatureToken::Reference(inner)
                | SignatureToken::MutableReference(inner) => stack.push((inner, depth + 1)),
                SignatureToken::StructInstantiation(_, args) => {
                    for arg in args.iter().rev() {
                        stack.push((arg, depth + 1));
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// A constant pool entry: a type and the BCS bytes of the value (`bytecode-format.md` §7).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constant {
    /// The constant's type.
    pub type_: SignatureToken,
    /// BCS encoding of the value.
    pub data: Vec<u8>,
}

/// A METADATA entry: opaque key and value bytes (`bytecode-format.md` §8).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Metadata {
    /// The key, e.g. `diem::metadata_v1`.
    pub key: Vec<u8>,
    /// The value, e.g. BCS of the runtime module metadata.
    pub value: Vec<u8>,
}

/// A field of a declared struct.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldDefinition {
    /// The field name.
    pub name: IdentifierIndex,
    /// The field type.
    pub signature: TypeSignature,
}

/// A struct's fields, or `Native` for a native struct.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StructFieldInformation {
    /// A native struct (flag `0x01`): no fields in bytecode.
    Native,
    /// A declared struct (flag `0x02`) with its fields.
    Declared(Vec<FieldDefinition>),
}

/// A struct declared in this module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructDefinition {
    /// The struct's handle (name, abilities, type parameters).
    pub struct_handle: StructHandleIndex,
    /// Its fields.
    pub field_information: StructFieldInformation,
}

impl StructDefinition {
    /// The declared fields (`None` for a native struct).
    pub fn fields(&self) -> Option<&[FieldDefinition]> {
        match &self.field_information {
            StructFieldInformation::Native => None,
            StructFieldInformation::Declared(fields) => Some(fields),
        }
    }

    /// The field at `offset`.
    pub fn field(&self, offset: usize) -> Option<&FieldDefinition> {
        self.fields()?.get(offset)
    }

    /// Number of declared fields (0 for native).
    pub fn declared_field_count(&self) -> usize {
        self.fields().map_or(0, |f| f.len())
    }

    /// Whether the struct is native.
    pub fn is_native(&self) -> bool {
        matches!(self.field_information, StructFieldInformation::Native)
    }
}

/// A function declared in this module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionDefinition {
    /// The function's handle (name, signature, type parameters).
    pub function: FunctionHandleIndex,
    /// Its visibility.
    pub visibility: Visibility,
    /// Whether it is an `entry` function (flag `0x04`).
    pub is_entry: bool,
    /// The resources it acquires.
    pub acquires_global_resources: Vec<StructDefinitionIndex>,
    /// Its code; `None` for a native function (flag `0x02`).
    pub code: Option<CodeUnit>,
}

impl FunctionDefinition {
    /// Flag bit for native functions.
    pub const NATIVE: u8 = 0x02;
    /// Flag bit for entry functions.
    pub const ENTRY: u8 = 0x04;

    /// Whether the function is native.
    pub fn is_native(&self) -> bool {
        self.code.is_none()
    }

    /// The flags byte as written.
    pub fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.is_native() {
            flags |= Self::NATIVE;
        }
        if self.is_entry {
            flags |= Self::ENTRY;
        }
        flags
    }
}

/// A function body: the non-parameter locals and the instructions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CodeUnit {
    /// The types of the locals after the parameters.
    pub locals: SignatureIndex,
    /// The instructions.
    pub code: Vec<Bytecode>,
}

// ---------------------------------------------------------------------------------------------
// Instructions
// ---------------------------------------------------------------------------------------------

macro_rules! define_opcodes {
    ($($name:ident = $value:literal,)*) => {
        /// The opcode bytes of v6 (`bytecode-format.md` §12).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Opcode {
            $($name = $value,)*
        }

        impl Opcode {
            /// The opcode for a byte, if it is one.
            pub fn from_u8(byte: u8) -> Option<Opcode> {
                match byte {
                    $($value => Some(Opcode::$name),)*
                    _ => None,
                }
            }

            /// The mnemonic, e.g. `MoveLoc`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Opcode::$name => stringify!($name),)*
                }
            }
        }
    };
}

define_opcodes! {
    Pop = 0x01,
    Ret = 0x02,
    BrTrue = 0x03,
    BrFalse = 0x04,
    Branch = 0x05,
    LdU64 = 0x06,
    LdConst = 0x07,
    LdTrue = 0x08,
    LdFalse = 0x09,
    CopyLoc = 0x0A,
    MoveLoc = 0x0B,
    StLoc = 0x0C,
    MutBorrowLoc = 0x0D,
    ImmBorrowLoc = 0x0E,
    MutBorrowField = 0x0F,
    ImmBorrowField = 0x10,
    Call = 0x11,
    Pack = 0x12,
    Unpack = 0x13,
    ReadRef = 0x14,
    WriteRef = 0x15,
    Add = 0x16,
    Sub = 0x17,
    Mul = 0x18,
    Mod = 0x19,
    Div = 0x1A,
    BitOr = 0x1B,
    BitAnd = 0x1C,
    Xor = 0x1D,
    Or = 0x1E,
    And = 0x1F,
    Not = 0x20,
    Eq = 0x21,
    Neq = 0x22,
    Lt = 0x23,
    Gt = 0x24,
    Le = 0x25,
    Ge = 0x26,
    Abort = 0x27,
    Nop = 0x28,
    Exists = 0x29,
    MutBorrowGlobal = 0x2A,
    ImmBorrowGlobal = 0x2B,
    MoveFrom = 0x2C,
    MoveTo = 0x2D,
    FreezeRef = 0x2E,
    Shl = 0x2F,
    Shr = 0x30,
    LdU8 = 0x31,
    LdU128 = 0x32,
    CastU8 = 0x33,
    CastU64 = 0x34,
    CastU128 = 0x35,
    MutBorrowFieldGeneric = 0x36,
    ImmBorrowFieldGeneric = 0x37,
    CallGeneric = 0x38,
    PackGeneric = 0x39,
    UnpackGeneric = 0x3A,
    ExistsGeneric = 0x3B,
    MutBorrowGlobalGeneric = 0x3C,
    ImmBorrowGlobalGeneric = 0x3D,
    MoveFromGeneric = 0x3E,
    MoveToGeneric = 0x3F,
    VecPack = 0x40,
    VecLen = 0x41,
    VecImmBorrow = 0x42,
    VecMutBorrow = 0x43,
    VecPushBack = 0x44,
    VecPopBack = 0x45,
    VecUnpack = 0x46,
    VecSwap = 0x47,
    LdU16 = 0x48,
    LdU32 = 0x49,
    LdU256 = 0x4A,
    CastU16 = 0x4B,
    CastU32 = 0x4C,
    CastU256 = 0x4D,
}

impl Opcode {
    /// The first version that has this opcode (6 for the u16/u32/u256 family, else 5 here).
    pub fn min_version(self) -> u32 {
        match self {
            Opcode::LdU16
            | Opcode::LdU32
            | Opcode::LdU256
            | Opcode::CastU16
            | Opcode::CastU32
            | Opcode::CastU256 => VERSION_6,
            _ => VERSION_MIN,
        }
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One instruction with its operands. Indexes are typed; `CodeOffset` is an instruction index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Bytecode {
    Pop,
    Ret,
    BrTrue(CodeOffset),
    BrFalse(CodeOffset),
    Branch(CodeOffset),
    LdU8(u8),
    LdU16(u16),
    LdU32(u32),
    LdU64(u64),
    LdU128(u128),
    LdU256(U256),
    CastU8,
    CastU16,
    CastU32,
    CastU64,
    CastU128,
    CastU256,
    LdConst(ConstantPoolIndex),
    LdTrue,
    LdFalse,
    CopyLoc(LocalIndex),
    MoveLoc(LocalIndex),
    StLoc(LocalIndex),
    Call(FunctionHandleIndex),
    CallGeneric(FunctionInstantiationIndex),
    Pack(StructDefinitionIndex),
    PackGeneric(StructDefInstantiationIndex),
    Unpack(StructDefinitionIndex),
    UnpackGeneric(StructDefInstantiationIndex),
    ReadRef,
    WriteRef,
    FreezeRef,
    MutBorrowLoc(LocalIndex),
    ImmBorrowLoc(LocalIndex),
    MutBorrowField(FieldHandleIndex),
    MutBorrowFieldGeneric(FieldInstantiationIndex),
    ImmBorrowField(FieldHandleIndex),
    ImmBorrowFieldGeneric(FieldInstantiationIndex),
    MutBorrowGlobal(StructDefinitionIndex),
    MutBorrowGlobalGeneric(StructDefInstantiationIndex),
    ImmBorrowGlobal(StructDefinitionIndex),
    ImmBorrowGlobalGeneric(StructDefInstantiationIndex),
    Add,
    Sub,
    Mul,
    Mod,
    Div,
    BitOr,
    BitAnd,
    Xor,
    Or,
    And,
    Not,
    Eq,
    Neq,
    Lt,
    Gt,
    Le,
    Ge,
    Abort,
    Nop,
    Exists(StructDefinitionIndex),
    ExistsGeneric(StructDefInstantiationIndex),
    MoveFrom(StructDefinitionIndex),
    MoveFromGeneric(StructDefInstantiationIndex),
    MoveTo(StructDefinitionIndex),
    MoveToGeneric(StructDefInstantiationIndex),
    Shl,
    Shr,
    VecPack(SignatureIndex, u64),
    VecLen(SignatureIndex),
    VecImmBorrow(SignatureIndex),
    VecMutBorrow(SignatureIndex),
    VecPushBack(SignatureIndex),
    VecPopBack(SignatureIndex),
    VecUnpack(SignatureIndex, u64),
    VecSwap(SignatureIndex),
}

impl Bytecode {
    /// The instruction's opcode.
    pub fn opcode(&self) -> Opcode {
        use Bytecode as B;
        use Opcode as O;
        match self {
            B::Pop => O::Pop,
            B::Ret => O::Ret,
            B::BrTrue(_) => O::BrTrue,
            B::BrFalse(_) => O::BrFalse,
            B::Branch(_) => O::Branch,
            B::LdU8(_) => O::LdU8,
            B::LdU16(_) => O::LdU16,
            B::LdU32(_) => O::LdU32,
            B::LdU64(_) => O::LdU64,
            B::LdU128(_) => O::LdU128,
            B::LdU256(_) => O::LdU256,
            B::CastU8 => O::CastU8,
            B::CastU16 => O::CastU16,
            B::CastU32 => O::CastU32,
            B::CastU64 => O::CastU64,
            B::CastU128 => O::CastU128,
            B::CastU256 => O::CastU256,
            B::LdConst(_) => O::LdConst,
            B::LdTrue => O::LdTrue,
            B::LdFalse => O::LdFalse,
            B::CopyLoc(_) => O::CopyLoc,
            B::MoveLoc(_) => O::MoveLoc,
            B::StLoc(_) => O::StLoc,
            B::Call(_) => O::Call,
            B::CallGeneric(_) => O::CallGeneric,
            B::Pack(_) => O::Pack,
            B::PackGeneric(_) => O::PackGeneric,
            B::Unpack(_) => O::Unpack,
            B::UnpackGeneric(_) => O::UnpackGeneric,
            B::ReadRef => O::ReadRef,
            B::WriteRef => O::WriteRef,
            B::FreezeRef => O::FreezeRef,
            B::MutBorrowLoc(_) => O::MutBorrowLoc,
            B::ImmBorrowLoc(_) => O::ImmBorrowLoc,
            B::MutBorrowField(_) => O::MutBorrowField,
            B::MutBorrowFieldGeneric(_) => O::MutBorrowFieldGeneric,
            B::ImmBorrowField(_) => O::ImmBorrowField,
            B::ImmBorrowFieldGeneric(_) => O::ImmBorrowFieldGeneric,
            B::MutBorrowGlobal(_) => O::MutBorrowGlobal,
            B::MutBorrowGlobalGeneric(_) => O::MutBorrowGlobalGeneric,
            B::ImmBorrowGlobal(_) => O::ImmBorrowGlobal,
            B::ImmBorrowGlobalGeneric(_) => O::ImmBorrowGlobalGeneric,
            B::Add => O::Add,
            B::Sub => O::Sub,
            B::Mul => O::Mul,
            B::Mod => O::Mod,
            B::Div => O::Div,
            B::BitOr => O::BitOr,
            B::BitAnd => O::BitAnd,
            B::Xor => O::Xor,
            B::Or => O::Or,
            B::And => O::And,
            B::Not => O::Not,
            B::Eq => O::Eq,
            B::Neq => O::Neq,
            B::Lt => O::Lt,
            B::Gt => O::Gt,
            B::Le => O::Le,
            B::Ge => O::Ge,
            B::Abort => O::Abort,
            B::Nop => O::Nop,
            B::Exists(_) => O::Exists,
            B::ExistsGeneric(_) => O::ExistsGeneric,
            B::MoveFrom(_) => O::MoveFrom,
            B::MoveFromGeneric(_) => O::MoveFromGeneric,
            B::MoveTo(_) => O::MoveTo,
            B::MoveToGeneric(_) => O::MoveToGeneric,
            B::Shl => O::Shl,
            B::Shr => O::Shr,
            B::VecPack(..) => O::VecPack,
            B::VecLen(_) => O::VecLen,
            B::VecImmBorrow(_) => O::VecImmBorrow,
            B::VecMutBorrow(_) => O::VecMutBorrow,
            B::VecPushBack(_) => O::VecPushBack,
            B::VecPopBack(_) => O::VecPopBack,
            B::VecUnpack(..) => O::VecUnpack,
            B::VecSwap(_) => O::VecSwap,
        }
    }

    /// The branch target of `BrTrue`, `BrFalse` and `Branch`.
    pub fn branch_target(&self) -> Option<CodeOffset> {
        match self {
            Bytecode::BrTrue(t) | Bytecode::BrFalse(t) | Bytecode::Branch(t) => Some(*t),
            _ => None,
        }
    }

    /// Whether control never falls through to the next instruction (`Ret`, `Abort`, `Branch`).
    pub fn is_unconditional_branch(&self) -> bool {
        matches!(self, Bytecode::Ret | Bytecode::Abort | Bytecode::Branch(_))
    }

    /// The local index operand, if any.
    pub fn local(&self) -> Option<LocalIndex> {
        match self {
            Bytecode::CopyLoc(l)
            | Bytecode::MoveLoc(l)
            | Bytecode::StLoc(l)
            | Bytecode::MutBorrowLoc(l)
            | Bytecode::ImmBorrowLoc(l) => Some(*l),
            _ => None,
        }
    }
}

impl fmt::Display for Bytecode {
    /// The mnemonic and raw operands, e.g. `Call FH2`, `VecPack SIG5, 0`, `MoveLoc 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Bytecode as B;
        let name = self.opcode().name();
        match self {
            B::BrTrue(o) | B::BrFalse(o) | B::Branch(o) => write!(f, "{name} {o}"),
            B::LdU8(v) => write!(f, "{name} {v}"),
            B::LdU16(v) => write!(f, "{name} {v}"),
            B::LdU32(v) => write!(f, "{name} {v}"),
            B::LdU64(v) => write!(f, "{name} {v}"),
            B::LdU128(v) => write!(f, "{name} {v}"),
            B::LdU256(v) => write!(f, "{name} {v}"),
            B::LdConst(i) => write!(f, "{name} {}", i.0),
            B::CopyLoc(l)
            | B::MoveLoc(l)
            | B::StLoc(l)
            | B::MutBorrowLoc(l)
            | B::ImmBorrowLoc(l) => write!(f, "{name} {l}"),
            B::Call(i) => write!(f, "{name} {i}"),
            B::CallGeneric(i) => write!(f, "{name} {i}"),
            B::Pack(i)
            | B::Unpack(i)
            | B::MutBorrowGlobal(i)
            | B::ImmBorrowGlobal(i)
            | B::Exists(i)
            | B::MoveFrom(i)
            | B::MoveTo(i) => write!(f, "{name} {i}"),
            B::PackGeneric(i)
            | B::UnpackGeneric(i)
            | B::MutBorrowGlobalGeneric(i)
            | B::ImmBorrowGlobalGeneric(i)
            | B::ExistsGeneric(i)
            | B::MoveFromGeneric(i)
            | B::MoveToGeneric(i) => write!(f, "{name} {i}"),
            B::MutBorrowField(i) | B::ImmBorrowField(i) => write!(f, "{name} {i}"),
            B::MutBorrowFieldGeneric(i) | B::ImmBorrowFieldGeneric(i) => write!(f, "{name} {i}"),
            B::VecPack(s, n) | B::VecUnpack(s, n) => write!(f, "{name} {s}, {n}"),
            B::VecLen(s)
            | B::VecImmBorrow(s)
            | B::VecMutBorrow(s)
            | B::VecPushBack(s)
            | B::VecPopBack(s)
            | B::VecSwap(s) => write!(f, "{name} {s}"),
            _ => f.write_str(name),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled units
// ---------------------------------------------------------------------------------------------

/// A compiled module: every table of the binary plus the self handle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompiledModule {
    /// The bytecode version the module was read with (and is written with).
    pub version: u32,
    /// The handle naming this module (the trailer).
    pub self_module_handle_idx: ModuleHandleIndex,
    /// MODULE_HANDLES.
    pub module_handles: Vec<ModuleHandle>,
    /// STRUCT_HANDLES.
    pub struct_handles: Vec<StructHandle>,
    /// FUNCTION_HANDLES.
    pub function_handles: Vec<FunctionHandle>,
    /// FIELD_HANDLE.
    pub field_handles: Vec<FieldHandle>,
    /// FRIEND_DECLS.
    pub friend_decls: Vec<ModuleHandle>,
    /// STRUCT_DEF_INST.
    pub struct_def_instantiations: Vec<StructDefInstantiation>,
    /// FUNCTION_INST.
    pub function_instantiations: Vec<FunctionInstantiation>,
    /// FIELD_INST.
    pub field_instantiations: Vec<FieldInstantiation>,
    /// SIGNATURES.
    pub signatures: Vec<Signature>,
    /// IDENTIFIERS.
    pub identifiers: Vec<Identifier>,
    /// ADDRESS_IDENTIFIERS.
    pub address_identifiers: Vec<AccountAddress>,
    /// CONSTANT_POOL.
    pub constant_pool: Vec<Constant>,
    /// METADATA.
    pub metadata: Vec<Metadata>,
    /// STRUCT_DEFS.
    pub struct_defs: Vec<StructDefinition>,
    /// FUNCTION_DEFS.
    pub function_defs: Vec<FunctionDefinition>,
}

/// A compiled script: the shared tables plus the `main` function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompiledScript {
    /// The bytecode version the script was read with (and is written with).
    pub version: u32,
    /// MODULE_HANDLES.
    pub module_handles: Vec<ModuleHandle>,
    /// STRUCT_HANDLES.
    pub struct_handles: Vec<StructHandle>,
    /// FUNCTION_HANDLES.
    pub function_handles: Vec<FunctionHandle>,
    /// FUNCTION_INST.
    pub function_instantiations: Vec<FunctionInstantiation>,
    /// SIGNATURES.
    pub signatures: Vec<Signature>,
    /// IDENTIFIERS.
    pub identifiers: Vec<Identifier>,
    /// ADDRESS_IDENTIFIERS.
    pub address_identifiers: Vec<AccountAddress>,
    /// CONSTANT_POOL.
    pub constant_pool: Vec<Constant>,
    /// METADATA.
    pub metadata: Vec<Metadata>,
    /// `main`'s body.
    pub code: CodeUnit,
    /// `main`'s type parameter constraints.
    pub type_parameters: Vec<AbilitySet>,
    /// `main`'s parameter types.
    pub parameters: SignatureIndex,
}

/// A module or a script, for callers that do not know which one a blob holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompiledUnit {
    /// A module.
    Module(CompiledModule),
    /// A script.
    Script(CompiledScript),
}

impl CompiledUnit {
    /// The bytecode version.
    pub fn version(&self) -> u32 {
        match self {
            CompiledUnit::Module(m) => m.version,
            CompiledUnit::Script(s) => s.version,
        }
    }

    /// Whether this is a module.
    pub fn is_module(&self) -> bool {
        matches!(self, CompiledUnit::Module(_))
    }

    /// The module, if this is one.
    pub fn as_module(&self) -> Option<&CompiledModule> {
        match self {
            CompiledUnit::Module(m) => Some(m),
            CompiledUnit::Script(_) => None,
        }
    }

    /// The script, if this is one.
    pub fn as_script(&self) -> Option<&CompiledScript> {
        match self {
            CompiledUnit::Module(_) => None,
            CompiledUnit::Script(s) => Some(s),
        }
    }

    /// A read-only view of the shared tables.
    pub fn view(&self) -> BinaryIndexedView<'_> {
        match self {
            CompiledUnit::Module(m) => BinaryIndexedView::Module(m),
            CompiledUnit::Script(s) => BinaryIndexedView::Script(s),
        }
    }
}

impl From<CompiledModule> for CompiledUnit {
    fn from(m: CompiledModule) -> Self {
        CompiledUnit::Module(m)
    }
}

impl From<CompiledScript> for CompiledUnit {
    fn from(s: CompiledScript) -> Self {
        CompiledUnit::Script(s)
    }
}

/// Accessors shared by modules and scripts. The `*_at` methods index the tables directly and
/// panic on an out-of-range index; every index in a unit that came out of the reader is in range.
macro_rules! common_accessors {
    () => {
        /// The module handle at `idx`.
        pub fn module_handle_at(&self, idx: ModuleHandleIndex) -> &ModuleHandle {
            &self.module_handles[idx.into_index()]
        }
        /// The struct handle at `idx`.
        pub fn struct_handle_at(&self, idx: StructHandleIndex) -> &StructHandle {
            &self.struct_handles[idx.into_index()]
        }
        /// The function handle at `idx`.
        pub fn function_handle_at(&self, idx: FunctionHandleIndex) -> &FunctionHandle {
            &self.function_handles[idx.into_index()]
        }
        /// The function instantiation at `idx`.
        pub fn function_instantiation_at(
            &self,
            idx: FunctionInstantiationIndex,
        ) -> &FunctionInstantiation {
            &self.function_instantiations[idx.into_index()]
        }
        /// The signature at `idx`.
        pub fn signature_at(&self, idx: SignatureIndex) -> &Signature {
            &self.signatures[idx.into_index()]
        }
        /// The identifier at `idx`.
        pub fn identifier_at(&self, idx: IdentifierIndex) -> &Identifier {
            &self.identifiers[idx.into_index()]
        }
        /// The address at `idx`.
        pub fn address_identifier_at(&self, idx: AddressIdentifierIndex) -> &AccountAddress {
            &self.address_identifiers[idx.into_index()]
        }
        /// The constant at `idx`.
        pub fn constant_at(&self, idx: ConstantPoolIndex) -> &Constant {
            &self.constant_pool[idx.into_index()]
        }
        /// The id (`address::name`) of the module behind a handle.
        pub fn module_id_for_handle(&self, handle: &ModuleHandle) -> ModuleId {
            ModuleId::new(
                *self.address_identifier_at(handle.address),
                self.identifier_at(handle.name).clone(),
            )
        }
        /// The name of a function handle.
        pub fn function_name(&self, idx: FunctionHandleIndex) -> &Identifier {
            self.identifier_at(self.function_handle_at(idx).name)
        }
        /// The name of a struct handle.
        pub fn struct_name(&self, idx: StructHandleIndex) -> &Identifier {
            self.identifier_at(self.struct_handle_at(idx).name)
        }
        /// The metadata entry with `key`, if any.
        pub fn metadata_entry(&self, key: &[u8]) -> Option<&Metadata> {
            self.metadata.iter().find(|m| m.key == key)
        }
        /// The position of `name` in the identifier pool.
        pub fn find_identifier_index(&self, name: &str) -> Option<IdentifierIndex> {
            self.identifiers
                .iter()
                .position(|i| i.as_str() == name)
                .map(|p| IdentifierIndex(p as TableIndex))
        }
    };
}

impl CompiledModule {
    common_accessors!();

    /// This module's handle.
    pub fn self_handle(&self) -> &ModuleHandle {
        self.module_handle_at(self.self_module_handle_idx)
    }

    /// This module's id, e.g. `0x1::bcs`.
    pub fn self_id(&self) -> ModuleId {
        self.module_id_for_handle(self.self_handle())
    }

    /// This module's name.
    pub fn name(&self) -> &Identifier {
        self.identifier_at(self.self_handle().name)
    }

    /// This module's address.
    pub fn address(&self) -> &AccountAddress {
        self.address_identifier_at(self.self_handle().address)
    }

    /// The struct definition at `idx`.
    pub fn struct_def_at(&self, idx: StructDefinitionIndex) -> &StructDefinition {
        &self.struct_defs[idx.into_index()]
    }

    /// The function definition at `idx`.
    pub fn function_def_at(&self, idx: FunctionDefinitionIndex) -> &FunctionDefinition {
        &self.function_defs[idx.into_index()]
    }

    /// The field handle at `idx`.
    pub fn field_handle_at(&self, idx: FieldHandleIndex) -> &FieldHandle {
        &self.field_handles[idx.into_index()]
    }

    /// The struct instantiation at `idx`.
    pub fn struct_instantiation_at(
        &self,
        idx: StructDefInstantiationIndex,
    ) -> &StructDefInstantiation {
        &self.struct_def_instantiations[idx.into_index()]
    }

    /// The field instantiation at `idx`.
    pub fn field_instantiation_at(&self, idx: FieldInstantiationIndex) -> &FieldInstantiation {
        &self.field_instantiations[idx.into_index()]
    }

    /// The name of a struct definition.
    pub fn struct_def_name(&self, idx: StructDefinitionIndex) -> &Identifier {
        self.struct_name(self.struct_def_at(idx).struct_handle)
    }

    /// The name of a function definition.
    pub fn function_def_name(&self, idx: FunctionDefinitionIndex) -> &Identifier {
        self.function_name(self.function_def_at(idx).function)
    }

    /// The function definition named `name`.
    pub fn find_function_def_by_name(
        &self,
        name: &str,
    ) -> Option<(FunctionDefinitionIndex, &FunctionDefinition)> {
        self.function_defs.iter().enumerate().find_map(|(i, def)| {
            (self.function_name(def.function).as_str() == name)
                .then_some((FunctionDefinitionIndex(i as TableIndex), def))
        })
    }

    /// The struct definition named `name`.
    pub fn find_struct_def_by_name(
        &self,
        name: &str,
    ) -> Option<(StructDefinitionIndex, &StructDefinition)> {
        self.struct_defs.iter().enumerate().find_map(|(i, def)| {
            (self.struct_name(def.struct_handle).as_str() == name)
                .then_some((StructDefinitionIndex(i as TableIndex), def))
        })
    }

    /// The modules this one references, other than itself, in handle order.
    pub fn immediate_dependencies(&self) -> Vec<ModuleId> {
        self.module_handles
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.self_module_handle_idx.into_index())
            .map(|(_, h)| self.module_id_for_handle(h))
            .collect()
    }

    /// The modules declared as friends.
    pub fn friends(&self) -> Vec<ModuleId> {
        self.friend_decls
            .iter()
            .map(|h| self.module_id_for_handle(h))
            .collect()
    }

    /// The names of the functions defined here, in definition order.
    pub fn function_names(&self) -> Vec<&Identifier> {
        self.function_defs
            .iter()
            .map(|d| self.function_name(d.function))
            .collect()
    }

    /// The names of the structs defined here, in definition order.
    pub fn struct_names(&self) -> Vec<&Identifier> {
        self.struct_defs
            .iter()
            .map(|d| self.struct_name(d.struct_handle))
            .collect()
    }

    /// A read-only view of the shared tables.
    pub fn view(&self) -> BinaryIndexedView<'_> {
        BinaryIndexedView::Module(self)
    }
}

impl CompiledScript {
    common_accessors!();

    /// The modules this script references, in handle order.
    pub fn immediate_dependencies(&self) -> Vec<ModuleId> {
        self.module_handles
            .iter()
            .map(|h| self.module_id_for_handle(h))
            .collect()
    }

    /// A read-only view of the shared tables.
    pub fn view(&self) -> BinaryIndexedView<'_> {
        BinaryIndexedView::Script(self)
    }
}

/// A read-only view over a module or a script, giving uniform access to the shared tables.
#[derive(Clone, Copy, Debug)]
pub enum BinaryIndexedView<'a> {
    /// A module.
    Module(&'a CompiledModule),
    /// A script.
    Script(&'a CompiledScript),
}

macro_rules! view_field {
    ($name:ident, $ty:ty) => {
        /// The table of that name.
        pub fn $name(&self) -> &'a [$ty] {
            match self {
                BinaryIndexedView::Module(m) => &m.$name,
                BinaryIndexedView::Script(s) => &s.$name,
            }
        }
    };
}

impl<'a> BinaryIndexedView<'a> {
    view_field!(module_handles, ModuleHandle);
    view_field!(struct_handles, StructHandle);
    view_field!(function_handles, FunctionHandle);
    view_field!(function_instantiations, FunctionInstantiation);
    view_field!(signatures, Signature);
    view_field!(identifiers, Identifier);
    view_field!(address_identifiers, AccountAddress);
    view_field!(constant_pool, Constant);
    view_field!(metadata, Metadata);

    /// The bytecode version.
    pub fn version(&self) -> u32 {
        match self {
            BinaryIndexedView::Module(m) => m.version,
            BinaryIndexedView::Script(s) => s.version,
        }
    }

    /// The module, if this views one.
    pub fn module(&self) -> Option<&'a CompiledModule> {
        match self {
            BinaryIndexedView::Module(m) => Some(m),
            BinaryIndexedView::Script(_) => None,
        }
    }

    /// The module-only tables are empty for a script.
    pub fn struct_defs(&self) -> &'a [StructDefinition] {
        self.module().map_or(&[], |m| &m.struct_defs)
    }

    /// FUNCTION_DEFS (empty for a script).
    pub fn function_defs(&self) -> &'a [FunctionDefinition] {
        self.module().map_or(&[], |m| &m.function_defs)
    }

    /// FIELD_HANDLE (empty for a script).
    pub fn field_handles(&self) -> &'a [FieldHandle] {
        self.module().map_or(&[], |m| &m.field_handles)
    }

    /// FIELD_INST (empty for a script).
    pub fn field_instantiations(&self) -> &'a [FieldInstantiation] {
        self.module().map_or(&[], |m| &m.field_instantiations)
    }

    /// STRUCT_DEF_INST (empty for a script).
    pub fn struct_def_instantiations(&self) -> &'a [StructDefInstantiation] {
        self.module().map_or(&[], |m| &m.struct_def_instantiations)
    }

    /// FRIEND_DECLS (empty for a script).
    pub fn friend_decls(&self) -> &'a [ModuleHandle] {
        self.module().map_or(&[], |m| &m.friend_decls)
    }

    /// The identifier at `idx`, if in range.
    pub fn identifier(&self, idx: IdentifierIndex) -> Option<&'a Identifier> {
        self.identifiers().get(idx.into_index())
    }

    /// The address at `idx`, if in range.
    pub fn address(&self, idx: AddressIdentifierIndex) -> Option<&'a AccountAddress> {
        self.address_identifiers().get(idx.into_index())
    }

    /// The signature at `idx`, if in range.
    pub fn signature(&self, idx: SignatureIndex) -> Option<&'a Signature> {
        self.signatures().get(idx.into_index())
    }

    /// The module id behind a handle, if its indexes are in range.
    pub fn module_id(&self, handle: &ModuleHandle) -> Option<ModuleId> {
        Some(ModuleId::new(
            *self.address(handle.address)?,
            self.identifier(handle.name)?.clone(),
        ))
    }
}
