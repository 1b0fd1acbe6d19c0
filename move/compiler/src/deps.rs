//! The modules a unit compiles against: dependencies given as compiled bytecode, plus (when a
//! module is being compiled) that module's own declarations read from its source. Lookups of a
//! module's functions (signatures with their structs resolved to names) and of structs
//! (abilities, type parameters, and for the module being compiled its fields), keyed by
//! `(address, module name)`.

use std::collections::BTreeMap;

use move_bytecode::{
    AbilitySet, AccountAddress, CompiledModule, SignatureToken, StructTypeParameter, Visibility,
};

use crate::typing::ast::{StructKey, Type};

/// A module identity: address and name.
pub type ModuleKey = (AccountAddress, String);

/// A function of a dependency as the type checker sees it.
#[derive(Clone, Debug)]
pub struct FunctionInfo {
    pub visibility: Visibility,
    pub is_entry: bool,
    pub type_parameters: Vec<AbilitySet>,
    pub parameters: Vec<Type>,
    pub returns: Vec<Type>,
    /// The module's own resources the function acquires, by struct name (empty for a compiled
    /// dependency: no function can acquire the resources of another module).
    pub acquires: Vec<String>,
}

/// A struct of a dependency.
#[derive(Clone, Debug)]
pub struct StructInfo {
    pub abilities: AbilitySet,
    pub type_parameters: Vec<StructTypeParameter>,
}

/// A struct of the module being compiled, from its source.
#[derive(Clone, Debug)]
pub struct LocalStruct {
    pub info: StructInfo,
    /// Field names and types in declaration order; `None` for a native struct.
    pub fields: Option<Vec<(String, Type)>>,
}

/// The declarations of the module being compiled: what its functions may name before any of
/// it is compiled.
#[derive(Clone, Debug, Default)]
pub struct LocalModule {
    pub structs: BTreeMap<String, LocalStruct>,
    pub functions: BTreeMap<String, FunctionInfo>,
    /// Modules declared `friend`.
    pub friends: Vec<ModuleKey>,
}

/// All dependency modules, indexed by identity, the declarations of the package's own modules,
/// and which of those is being compiled.
pub struct Dependencies<'a> {
    modules: BTreeMap<ModuleKey, &'a CompiledModule>,
    locals: BTreeMap<ModuleKey, LocalModule>,
    current: Option<ModuleKey>,
}

impl<'a> Dependencies<'a> {
    pub fn new(modules: impl IntoIterator<Item = &'a CompiledModule>) -> Self {
        let modules = modules
            .into_iter()
            .filter_map(|m| {
                let h = m
                    .module_handles
                    .get(m.self_module_handle_idx.into_index())?;
                let addr = *m.address_identifiers.get(h.address.into_index())?;
                let name = m.identifiers.get(h.name.into_index())?.as_str().to_string();
                Some(((addr, name), m))
            })
            .collect();
        Dependencies {
            modules,
            locals: BTreeMap::new(),
            current: None,
        }
    }

    /// These dependencies plus the declarations of the package's own modules (from source).
    pub fn with_locals(mut self, locals: BTreeMap<ModuleKey, LocalModule>) -> Self {
        self.locals = locals;
        self
    }

    /// Sets the package module whose bodies are being compiled.
    pub fn set_current(&mut self, key: Option<ModuleKey>) {
        self.current = key;
    }

    /// The declarations of package module `addr::name`.
    pub fn local_module(&self, addr: &AccountAddress, name: &str) -> Option<&LocalModule> {
        self.locals.get(&(*addr, name.to_string()))
    }

    /// The fields of struct `name` of the module being compiled.
    pub fn local_fields(&self, name: &str) -> Option<&[(String, Type)]> {
        let m = self.locals.get(self.current.as_ref()?)?;
        m.structs.get(name)?.fields.as_deref()
    }

    pub fn has_module(&self, addr: &AccountAddress, name: &str) -> bool {
        self.local_module(addr, name).is_some()
            || self.modules.contains_key(&(*addr, name.to_string()))
    }

    fn module(&self, addr: &AccountAddress, name: &str) -> Option<&'a CompiledModule> {
        self.modules.get(&(*addr, name.to_string())).copied()
    }

    /// The function `name` defined in module `addr::module`.
    pub fn function(
        &self,
        addr: &AccountAddress,
        module: &str,
        name: &str,
    ) -> Option<FunctionInfo> {
        if let Some(l) = self.local_module(addr, module) {
            return l.functions.get(name).cloned();
        }
        let m = self.module(addr, module)?;
        let (_, def) = m.find_function_def_by_name(name)?;
        let handle = m.function_handles.get(def.function.into_index())?;
        let convert = |idx: move_bytecode::SignatureIndex| -> Option<Vec<Type>> {
            m.signatures
                .get(idx.into_index())?
                .0
                .iter()
                .map(|t| token_to_type(m, t))
                .collect()
        };
        Some(FunctionInfo {
            visibility: def.visibility,
            is_entry: def.is_entry,
            type_parameters: handle.type_parameters.clone(),
            parameters: convert(handle.parameters)?,
            returns: convert(handle.return_)?,
            acquires: Vec::new(),
        })
    }

    /// The resources that function `name` of module `addr::module` acquires when the module is
    /// the one being compiled; a call into any other module acquires none of its resources.
    pub fn acquires_in_current(
        &self,
        addr: &AccountAddress,
        module: &str,
        name: &str,
    ) -> Vec<String> {
        match &self.current {
            Some((a, m)) if a == addr && m == module => self
                .locals
                .get(&(*a, m.clone()))
                .and_then(|l| l.functions.get(name))
                .map(|f| f.acquires.clone())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Whether module `addr::module` declares `friend` the module `who`.
    pub fn is_friend(&self, addr: &AccountAddress, module: &str, who: &ModuleKey) -> bool {
        if let Some(l) = self.local_module(addr, module) {
            return l.friends.contains(who);
        }
        let Some(m) = self.module(addr, module) else {
            return false;
        };
        m.friend_decls.iter().any(|h| {
            m.address_identifiers.get(h.address.into_index()) == Some(&who.0)
                && m.identifiers.get(h.name.into_index()).map(|i| i.as_str())
                    == Some(who.1.as_str())
        })
    }

    /// The struct `name` declared in module `addr::module`.
    pub fn struct_info(
        &self,
        addr: &AccountAddress,
        module: &str,
        name: &str,
    ) -> Option<StructInfo> {
        if let Some(l) = self.local_module(addr, module) {
            return l.structs.get(name).map(|s| s.info.clone());
        }
        let m = self.module(addr, module)?;
        let (_, def) = m.find_struct_def_by_name(name)?;
        let h = m.struct_handles.get(def.struct_handle.into_index())?;
        Some(StructInfo {
            abilities: h.abilities,
            type_parameters: h.type_parameters.clone(),
        })
    }
}

/// Converts a signature token of module `m` into a type with named structs.
fn token_to_type(m: &CompiledModule, t: &SignatureToken) -> Option<Type> {
    use SignatureToken as S;
    Some(match t {
        S::Bool => Type::Bool,
        S::U8 => Type::U8,
        S::U16 => Type::U16,
        S::U32 => Type::U32,
        S::U64 => Type::U64,
        S::U128 => Type::U128,
        S::U256 => Type::U256,
        S::Address => Type::Address,
        S::Signer => Type::Signer,
        S::Vector(inner) => Type::Vector(Box::new(token_to_type(m, inner)?)),
        S::Reference(inner) => Type::Ref(false, Box::new(token_to_type(m, inner)?)),
        S::MutableReference(inner) => Type::Ref(true, Box::new(token_to_type(m, inner)?)),
        S::TypeParameter(i) => Type::Param(*i),
        S::Struct(idx) => Type::Struct(struct_key(m, *idx)?, vec![]),
        S::StructInstantiation(idx, args) => Type::Struct(
            struct_key(m, *idx)?,
            args.iter()
                .map(|a| token_to_type(m, a))
                .collect::<Option<Vec<_>>>()?,
        ),
    })
}

fn struct_key(m: &CompiledModule, idx: move_bytecode::StructHandleIndex) -> Option<StructKey> {
    let h = m.struct_handles.get(idx.into_index())?;
    let mh = m.module_handles.get(h.module.into_index())?;
    Some(StructKey::new(
        *m.address_identifiers.get(mh.address.into_index())?,
        m.identifiers.get(mh.name.into_index())?.as_str(),
        m.identifiers.get(h.name.into_index())?.as_str(),
    ))
}
