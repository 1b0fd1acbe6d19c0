//! The package build's extra rules on entry functions, view functions, `init_module` and
//! resource groups, which reject some packages the compiler accepts (upstream
//! `extended_checks.rs`). They read the parsed source: a module's functions and structs, with
//! parameter types resolved through its `use` lines to a struct's address, module and name.
//!
//! * An entry function (unless `#[legacy_entry_fun]`) and a view function may take only
//!   primitive types, type parameters, `&signer`, vectors of allowed types and the structs
//!   `0x1::string::String`, `0x1::object::Object`, `0x1::option::Option`,
//!   `0x1::fixed_point32::FixedPoint32` and `0x1::fixed_point64::FixedPoint64`.
//! * An entry function returns nothing; a view function returns something.
//! * `init_module` is private, takes only signers (or `&signer`) and returns nothing.
//! * Resource group containers and members are well formed.
//!
//! Each diagnostic carries upstream's headline and the span of the function or struct.

use std::fmt;

use move_compiler::parser::ast::{
    Function, Loc, NameAccessChain_, Type as PType, Type_, Visibility,
};
use move_compiler::parser::diagnostics::line_col;

use crate::runtime_metadata::{
    applied_attribute, is_view_function, resource_group_member, resource_group_scope,
    ModuleAliases, ModuleSet, NamedAddresses, QualifiedName, SourceModule,
};

const INIT_MODULE: &str = "init_module";
const LEGACY_ENTRY_ATTRIBUTE: &str = "legacy_entry_fun";

/// Struct types a transaction may pass to an entry or view function.
const ALLOWED_INPUT_STRUCTS: [&str; 5] = [
    "0x1::string::String",
    "0x1::object::Object",
    "0x1::option::Option",
    "0x1::fixed_point32::FixedPoint32",
    "0x1::fixed_point64::FixedPoint64",
];

/// One rule a module breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedDiagnostic {
    /// The function or struct that breaks it.
    pub loc: Loc,
    /// Upstream's headline, e.g. `entry function cannot return values`.
    pub message: String,
}

impl ExtendedDiagnostic {
    fn new(loc: Loc, message: impl Into<String>) -> Self {
        ExtendedDiagnostic {
            loc,
            message: message.into(),
        }
    }

    /// The 1-based line and column of the span's start in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col(source, self.loc.start as usize)
    }

    /// `error: <message>` and the `┌─ file:line:col` line under it, as the build prints them.
    pub fn headline(&self, file_name: &str, source: &str) -> String {
        let (line, col) = self.line_col(source);
        format!("error: {}\n  ┌─ {file_name}:{line}:{col}", self.message)
    }
}

impl fmt::Display for ExtendedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)
    }
}

/// Runs every rule on `module`; an empty result means the module passes. `set` supplies the
/// named addresses and the modules that may define resource group containers.
pub fn check_module(module: &SourceModule<'_>, set: &ModuleSet<'_>) -> Vec<ExtendedDiagnostic> {
    let mut out = Vec::new();
    // Upstream's order: resource groups, their members, view functions, entry functions,
    // `init_module`.
    for s in module.structs() {
        if let Some(Err(message)) = resource_group_scope(s) {
            out.push(ExtendedDiagnostic::new(s.loc, message));
        }
    }
    for s in module.structs() {
        if let Some(Err(message)) = resource_group_member(module, s, set) {
            out.push(ExtendedDiagnostic::new(s.loc, message));
        }
    }
    let aliases = ModuleAliases::of(module, &set.named_addresses);
    let types = TypeResolver {
        module,
        aliases: &aliases,
        named: &set.named_addresses,
    };
    for f in module.functions() {
        if !is_view_function(f) {
            continue;
        }
        check_transaction_args(&types, f, &mut out);
        if return_count(f) == 0 {
            out.push(ExtendedDiagnostic::new(
                f.loc,
                "view function must return values",
            ));
        }
    }
    for f in module.functions() {
        if f.entry.is_none() || applied_attribute(&f.attributes, LEGACY_ENTRY_ATTRIBUTE).is_some() {
            continue;
        }
        check_transaction_args(&types, f, &mut out);
        if return_count(f) > 0 {
            out.push(ExtendedDiagnostic::new(
                f.loc,
                "entry function cannot return values",
            ));
        }
    }
    if let Some(f) = module
        .functions()
        .find(|f| f.name.value.as_str() == INIT_MODULE)
    {
        check_init_module(&types, f, &mut out);
    }
    out
}

/// Runs every rule on every module of `set` (dependencies included).
pub fn check_all(set: &ModuleSet<'_>) -> Vec<(String, ExtendedDiagnostic)> {
    set.modules
        .iter()
        .flat_map(|m| {
            check_module(m, set)
                .into_iter()
                .map(move |d| (m.id_string(), d))
        })
        .collect()
}

fn return_count(f: &Function) -> usize {
    match &f.signature.return_type.value {
        Type_::Unit => 0,
        Type_::Multiple(ts) => ts.len(),
        _ => 1,
    }
}

fn check_init_module(types: &TypeResolver<'_>, f: &Function, out: &mut Vec<ExtendedDiagnostic>) {
    if !matches!(f.visibility, Visibility::Internal) {
        out.push(ExtendedDiagnostic::new(
            f.loc,
            "`init_module` function must be private",
        ));
    }
    for (_, t) in &f.signature.parameters {
        let ok = match types.resolve(f, t) {
            ResolvedType::Signer => true,
            ResolvedType::Ref(_, inner) => matches!(*inner, ResolvedType::Signer),
            _ => false,
        };
        if !ok {
            out.push(ExtendedDiagnostic::new(
                f.loc,
                "`init_module` function can only take signers as parameters",
            ));
        }
    }
    if return_count(f) > 0 {
        out.push(ExtendedDiagnostic::new(
            f.loc,
            "`init_module` function cannot return values",
        ));
    }
}

fn check_transaction_args(
    types: &TypeResolver<'_>,
    f: &Function,
    out: &mut Vec<ExtendedDiagnostic>,
) {
    for (_, t) in &f.signature.parameters {
        check_input_type(&types.resolve(f, t), f.loc, out);
    }
}

fn check_input_type(t: &ResolvedType, loc: Loc, out: &mut Vec<ExtendedDiagnostic>) {
    match t {
        ResolvedType::Primitive(_) | ResolvedType::Signer | ResolvedType::Param(_) => {}
        ResolvedType::Ref(false, inner) if matches!(**inner, ResolvedType::Signer) => {}
        // The element type decides, and is what a message names.
        ResolvedType::Vector(inner) => check_input_type(inner, loc, out),
        ResolvedType::Struct(name, _)
            if ALLOWED_INPUT_STRUCTS.contains(&name.full_name_with_address().as_str()) => {}
        _ => out.push(ExtendedDiagnostic::new(
            loc,
            format!("type `{t}` is not supported as a parameter type"),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Parameter types

/// A parameter type with its names resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolvedType {
    /// `bool`, `u8` … `u256`, `address`.
    Primitive(&'static str),
    Signer,
    /// A type parameter of the function, by position.
    Param(usize),
    Vector(Box<ResolvedType>),
    /// `&T` (false) or `&mut T` (true).
    Ref(bool, Box<ResolvedType>),
    Struct(QualifiedName, Vec<ResolvedType>),
    /// Something a parameter cannot be (a tuple, a function type, an unbound name), as written.
    Other(String),
}

impl fmt::Display for ResolvedType {
    /// The form upstream's messages use: structs as `module::Name<..>` without the address,
    /// type parameters as `#i`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolvedType::Primitive(p) => f.write_str(p),
            ResolvedType::Signer => f.write_str("signer"),
            ResolvedType::Param(i) => write!(f, "#{i}"),
            ResolvedType::Vector(t) => write!(f, "vector<{t}>"),
            ResolvedType::Ref(mutable, t) => {
                write!(f, "&{}{t}", if *mutable { "mut " } else { "" })
            }
            ResolvedType::Struct(name, args) => {
                write!(f, "{}::{}", name.module, name.name)?;
                if !args.is_empty() {
                    f.write_str("<")?;
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{a}")?;
                    }
                    f.write_str(">")?;
                }
                Ok(())
            }
            ResolvedType::Other(text) => f.write_str(text),
        }
    }
}

struct TypeResolver<'a> {
    module: &'a SourceModule<'a>,
    aliases: &'a ModuleAliases,
    named: &'a NamedAddresses,
}

impl TypeResolver<'_> {
    /// Resolves a parameter type of `f`.
    fn resolve(&self, f: &Function, t: &PType) -> ResolvedType {
        match &t.value {
            Type_::Ref(mutable, inner) => {
                ResolvedType::Ref(*mutable, Box::new(self.resolve(f, inner)))
            }
            Type_::Apply(chain, args) => {
                let resolved_args: Vec<ResolvedType> =
                    args.iter().map(|a| self.resolve(f, a)).collect();
                if let NameAccessChain_::One(n) = &chain.value {
                    let name = n.value.as_str();
                    if let Some(i) = f
                        .signature
                        .type_parameters
                        .iter()
                        .position(|(p, _)| p.value.as_str() == name)
                    {
                        return ResolvedType::Param(i);
                    }
                    if let Some(p) = builtin(name, &resolved_args) {
                        return p;
                    }
                    if let Some(q) = self.aliases.resolve(self.named, chain) {
                        return ResolvedType::Struct(q, resolved_args);
                    }
                    // An unqualified name is a struct of this module.
                    return ResolvedType::Struct(
                        QualifiedName {
                            address: self.module.address,
                            module: self.module.name().to_string(),
                            name: name.to_string(),
                        },
                        resolved_args,
                    );
                }
                match self.aliases.resolve(self.named, chain) {
                    Some(q) => ResolvedType::Struct(q, resolved_args),
                    None => ResolvedType::Other(chain_text(chain)),
                }
            }
            Type_::Unit => ResolvedType::Other("()".into()),
            Type_::Multiple(_) => ResolvedType::Other("(..)".into()),
            Type_::Fun(..) => ResolvedType::Other("|..|".into()),
        }
    }
}

fn builtin(name: &str, args: &[ResolvedType]) -> Option<ResolvedType> {
    let primitive = match name {
        "bool" => "bool",
        "u8" => "u8",
        "u16" => "u16",
        "u32" => "u32",
        "u64" => "u64",
        "u128" => "u128",
        "u256" => "u256",
        "address" => "address",
        "signer" if args.is_empty() => return Some(ResolvedType::Signer),
        "vector" if args.len() == 1 => {
            return Some(ResolvedType::Vector(Box::new(args[0].clone())));
        }
        _ => return None,
    };
    args.is_empty()
        .then_some(ResolvedType::Primitive(primitive))
}

fn chain_text(chain: &move_compiler::parser::ast::NameAccessChain) -> String {
    use move_compiler::parser::ast::LeadingNameAccess_ as L;
    let lead = |l: &move_compiler::parser::ast::LeadingNameAccess| match &l.value {
        L::AnonymousAddress(n) => n.text.to_string(),
        L::Name(n) => n.value.to_string(),
    };
    match &chain.value {
        NameAccessChain_::One(n) => n.value.to_string(),
        NameAccessChain_::Two(l, n) => format!("{}::{}", lead(l), n.value),
        NameAccessChain_::Three(am, n) => {
            format!("{}::{}::{}", lead(&am.value.0), am.value.1.value, n.value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use move_compiler::parser::ast::FileId;
    use move_compiler::parser::parse_file;

    use move_bytecode::AccountAddress;

    /// The messages `check_module` reports for a one-module source.
    fn messages(text: &str) -> Vec<String> {
        let file = parse_file(FileId(0), text).file.expect("parses");
        let mut named = NamedAddresses::new();
        named.insert("std".into(), AccountAddress::ONE);
        let mut set = ModuleSet::new(named);
        set.add_file(&file).expect("addresses");
        let m = set.modules[0];
        check_module(&m, &set)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn allowed_entry_parameters_pass() {
        let text = "module 0xcafe::m {
            use std::string::{Self, String};
            use std::option::Option;
            struct Object<phantom T> has drop {}
            public entry fun a<T>(s: &signer, t: signer, x: u8, y: u256, b: bool, a: address,
                v: vector<vector<u8>>, n: String, o: Option<T>, p: T, q: string::String,
                f: std::fixed_point32::FixedPoint32) {}
            #[legacy_entry_fun]
            entry fun legacy(x: &u64): u64 { *x }
            #[test_only]
            entry fun test_helper(): u64 { 1 }
        }";
        assert_eq!(messages(text), Vec::<String>::new());
    }

    #[test]
    fn rejected_entry_parameters_name_the_type() {
        let text = "module 0xcafe::m {
            struct S has drop {}
            struct G<T> has drop { t: T }
            entry fun a(s: &mut signer) {}
            entry fun b(v: vector<S>) {}
            entry fun c<T>(g: G<T>) {}
            entry fun d(x: &u64) {}
            entry fun e(x: 0xcafe::other::Object<u8>) {}
        }";
        assert_eq!(
            messages(text),
            [
                "type `&mut signer` is not supported as a parameter type",
                "type `m::S` is not supported as a parameter type",
                "type `m::G<#0>` is not supported as a parameter type",
                "type `&u64` is not supported as a parameter type",
                "type `other::Object<u8>` is not supported as a parameter type",
            ]
        );
    }

    #[test]
    fn return_rules() {
        let text = "module 0xcafe::m {
            public entry fun a(): u64 { 1 }
            #[view]
            public fun b(x: u64) {}
            #[view]
            public fun c(): (u64, bool) { (1, true) }
        }";
        assert_eq!(
            messages(text),
            [
                "view function must return values",
                "entry function cannot return values"
            ]
        );
    }

    #[test]
    fn init_module_rules() {
        let ok = "module 0xcafe::m { fun init_module(s: &signer) {} }";
        assert_eq!(messages(ok), Vec::<String>::new());
        let bad = "module 0xcafe::m { public fun init_module(s: &signer, x: u64): u64 { x } }";
        assert_eq!(
            messages(bad),
            [
                "`init_module` function must be private",
                "`init_module` function can only take signers as parameters",
                "`init_module` function cannot return values",
            ]
        );
    }

    #[test]
    fn resource_group_rules() {
        let text = "module 0xcafe::m {
            #[resource_group(scope = global)]
            struct Group {}
            #[resource_group(scope = everywhere)]
            struct BadScope {}
            #[resource_group(scope = global)]
            struct WithField { x: u64 }
            #[resource_group_member(group = 0xcafe::m::Group)]
            struct Member has key { x: u64 }
            #[resource_group_member(group = 0xcafe::m::Group)]
            struct NoKey has store { x: u64 }
            #[resource_group_member(group = 0xcafe::m::Member)]
            struct NotAGroup has key { x: u64 }
            #[resource_group_member(group = 0xcafe::nowhere::Group)]
            struct Lost has key { x: u64 }
        }";
        assert_eq!(
            messages(text),
            [
                "resource_group_container invalid 'scope': everywhere",
                "resource_group should not have fields",
                "resource_group should have key ability",
                "container is not a resource_group_container",
                "unable to find resource_group module",
            ]
        );
    }
}
