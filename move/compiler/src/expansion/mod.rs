//! Expansion: resolves what names mean before types are looked at. Named and numeric addresses
//! become account addresses, `use` declarations become alias scopes (module aliases and member
//! aliases), and literal text becomes values (numbers with their suffix, `b"..."` escapes,
//! `x"..."` hex). The expression tree itself is read from the parser's AST by the typing pass,
//! which asks this pass's [`Aliases`] to resolve each name it meets.

pub mod literals;

use std::collections::BTreeMap;

use move_bytecode::AccountAddress;

use crate::deps::Dependencies;
use crate::driver::CompileDiagnostic;
use crate::parser::ast::{
    Constant, Function, LeadingNameAccess, LeadingNameAccess_, Loc, ModuleIdent, Name,
    NameAccessChain, NameAccessChain_, Script as PScript, Use, UseDecl,
};

/// A module identity after expansion.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleId {
    pub address: AccountAddress,
    /// The named address it was written with (`std`), if any; only for messages.
    pub address_name: Option<String>,
    pub name: String,
}

impl ModuleId {
    /// `(std=0x1)::vector` or `0x1::vector`, as in upstream messages.
    pub fn display(&self) -> String {
        let hex = self.address.to_hex_literal();
        match &self.address_name {
            Some(n) => format!("({n}={hex})::{}", self.name),
            None => format!("{hex}::{}", self.name),
        }
    }
}

/// A name resolved to a member of a module (function or struct).
#[derive(Clone, Debug)]
pub struct ModuleMember {
    pub module: ModuleId,
    pub member: Name,
}

/// One alias scope: the aliases declared by the `use` lines of a script or block.
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    modules: BTreeMap<String, ModuleId>,
    members: BTreeMap<String, (ModuleId, Name)>,
}

/// The expanded script (or function of a module): resolved aliases plus the parts later passes
/// read.
pub struct Script<'a> {
    pub function_name: Name,
    pub function: &'a Function,
    pub constants: &'a [Constant],
    pub aliases: Aliases,
    pub named_addresses: &'a BTreeMap<String, AccountAddress>,
    /// The module the function belongs to; `None` for a script.
    pub current_module: Option<ModuleId>,
    /// Locals whose uses have a type of their own (inlined reference parameters).
    pub local_views: BTreeMap<String, crate::parser::ast::Type>,
}

pub type Diags = Vec<CompileDiagnostic>;

/// Resolves the script-level `use` lines and checks the modules they name.
pub fn translate<'a>(
    script: &'a PScript,
    named: &'a BTreeMap<String, AccountAddress>,
    deps: &Dependencies,
) -> Result<Script<'a>, Diags> {
    let mut diags = vec![];
    let aliases = Aliases::default().with_uses(&script.uses, named, deps, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Script {
        function_name: script.function.name.clone(),
        function: &script.function,
        constants: &script.constants,
        aliases,
        named_addresses: named,
        current_module: None,
        local_views: BTreeMap::new(),
    })
}

/// The alias scope of a module's body: `Self`, the module's own functions and structs by their
/// names, then the module-level `use` lines.
pub fn module_aliases(
    current: &ModuleId,
    members: impl IntoIterator<Item = Name>,
    uses: &[UseDecl],
    named: &BTreeMap<String, AccountAddress>,
    deps: &Dependencies,
) -> Result<Aliases, Diags> {
    let mut base = Aliases::default();
    base.modules.insert("Self".to_string(), current.clone());
    for m in members {
        base.members
            .insert(m.value.to_string(), (current.clone(), m.clone()));
    }
    let mut diags = vec![];
    let aliases = base.with_uses(uses, named, deps, &mut diags);
    if diags.is_empty() {
        Ok(aliases)
    } else {
        Err(diags)
    }
}

/// Resolves the address part of an access.
pub fn address(
    named: &BTreeMap<String, AccountAddress>,
    a: &LeadingNameAccess,
) -> Result<(AccountAddress, Option<String>), CompileDiagnostic> {
    match &a.value {
        LeadingNameAccess_::AnonymousAddress(n) => Ok((AccountAddress::new(n.bytes), None)),
        LeadingNameAccess_::Name(n) => match named.get(n.value.as_str()) {
            Some(addr) => Ok((*addr, Some(n.value.to_string()))),
            None => Err(CompileDiagnostic::error(
                "E03001",
                "address with no value",
                a.loc,
                format!("Unbound address '{}'", n.value),
            )),
        },
    }
}

fn module_ident(
    named: &BTreeMap<String, AccountAddress>,
    m: &ModuleIdent,
) -> Result<ModuleId, CompileDiagnostic> {
    let (address, address_name) = address(named, &m.value.address)?;
    Ok(ModuleId {
        address,
        address_name,
        name: m.value.module.value.to_string(),
    })
}

impl Aliases {
    /// A new scope: this one plus the aliases of `uses` (which shadow).
    pub fn with_uses(
        &self,
        uses: &[UseDecl],
        named: &BTreeMap<String, AccountAddress>,
        deps: &Dependencies,
        diags: &mut Diags,
    ) -> Aliases {
        let mut out = self.clone();
        for u in uses {
            let (mi, members) = match &u.use_ {
                Use::Module(mi, alias) => {
                    let m = match module_ident(named, mi) {
                        Ok(m) => m,
                        Err(d) => {
                            diags.push(d);
                            continue;
                        }
                    };
                    if !check_module(deps, &m, mi.loc, diags) {
                        continue;
                    }
                    let a = alias.as_ref().unwrap_or(&mi.value.module);
                    out.modules.insert(a.value.to_string(), m);
                    continue;
                }
                Use::Members(mi, members) => (mi, members),
            };
            let m = match module_ident(named, mi) {
                Ok(m) => m,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            if !check_module(deps, &m, mi.loc, diags) {
                continue;
            }
            for (member, alias) in members {
                if member.value.as_str() == "Self" {
                    let a = alias.as_ref().unwrap_or(&mi.value.module);
                    out.modules.insert(a.value.to_string(), m.clone());
                } else {
                    let a = alias.as_ref().unwrap_or(member);
                    out.members
                        .insert(a.value.to_string(), (m.clone(), member.clone()));
                }
            }
        }
        out
    }

    pub fn module_alias(&self, name: &str) -> Option<&ModuleId> {
        self.modules.get(name)
    }

    pub fn member_alias(&self, name: &str) -> Option<&(ModuleId, Name)> {
        self.members.get(name)
    }

    /// Resolves `m::f`, `a::m::f` or an aliased `f` to a module member. `Ok(None)` means a
    /// single name that is no member alias (a local, a builtin or a constant).
    pub fn resolve_member(
        &self,
        named: &BTreeMap<String, AccountAddress>,
        chain: &NameAccessChain,
    ) -> Result<Option<ModuleMember>, CompileDiagnostic> {
        match &chain.value {
            NameAccessChain_::One(n) => {
                Ok(self
                    .members
                    .get(n.value.as_str())
                    .map(|(m, member)| ModuleMember {
                        module: m.clone(),
                        member: Name::new(n.loc, member.value.clone()),
                    }))
            }
            NameAccessChain_::Two(lead, n) => {
                let alias = match &lead.value {
                    LeadingNameAccess_::Name(a) => a,
                    LeadingNameAccess_::AnonymousAddress(_) => {
                        return Err(CompileDiagnostic::error(
                            "E03002",
                            "unbound module",
                            lead.loc,
                            "Invalid module access: expected a module name before '::'",
                        ))
                    }
                };
                match self.modules.get(alias.value.as_str()) {
                    Some(m) => Ok(Some(ModuleMember {
                        module: m.clone(),
                        member: n.clone(),
                    })),
                    None => Err(CompileDiagnostic::error(
                        "E03002",
                        "unbound module",
                        alias.loc,
                        format!("Unbound module alias '{}'", alias.value),
                    )),
                }
            }
            NameAccessChain_::Three(am, n) => {
                let (lead, mname) = &am.value;
                let (address, address_name) = address(named, lead)?;
                Ok(Some(ModuleMember {
                    module: ModuleId {
                        address,
                        address_name,
                        name: mname.value.to_string(),
                    },
                    member: n.clone(),
                }))
            }
        }
    }
}

fn check_module(deps: &Dependencies, m: &ModuleId, loc: Loc, diags: &mut Diags) -> bool {
    if deps.has_module(&m.address, &m.name) {
        return true;
    }
    diags.push(CompileDiagnostic::error(
        "E03002",
        "unbound module",
        loc,
        format!("Invalid 'use'. Unbound module: '{}'", m.display()),
    ));
    false
}
