//! The `diem::metadata_v1` runtime metadata the package build attaches to each compiled
//! framework module (`bytecode-format.md` §8), computed from the module's parsed source: the
//! error map (every `E…` constant with an integer value that fits in u64, described by its doc
//! comment), the `#[view]` functions, and the resource-group attributes of structs. A module
//! whose metadata comes out empty gets no entry at all, and neither does `0x1::error`, whose
//! constants are error categories rather than errors. [`inject_runtime_metadata`] appends the
//! entry to a `CompiledModule` the way the upstream builder does (`built_package.rs`).
//!
//! This file also holds the small view of parsed sources that the metadata and the
//! [`crate::extended_checks`] share: [`SourceModule`] (a module with its address resolved and
//! its test-only members left out) and [`ModuleSet`] (the modules a package can see, for
//! resource-group containers defined elsewhere).

use std::collections::BTreeMap;

use move_bytecode::metadata::{
    ErrorDescription, KnownAttribute, RuntimeModuleMetadata, METADATA_KEY_V0, METADATA_KEY_V1,
};
use move_bytecode::{AccountAddress, CompiledModule, Metadata};
use move_compiler::cfgir::constant_fold::{fold_binop, fold_cast};
use move_compiler::expansion::literals::{parse_number, IntSuffix};
use move_compiler::parser::ast::{
    Ability_, Attribute, AttributeValue_, Attribute_, Attributes, BinOp_, Constant, Definition,
    Exp, Exp_, Function, LeadingNameAccess, LeadingNameAccess_, Loc, ModuleDefinition,
    ModuleMember, NameAccessChain, NameAccessChain_, SourceFile, StructDefinition, StructFields,
    Type as PType, Type_, Use, Value_,
};
use move_compiler::typing::ast::{Type as VType, Value};
use move_compiler::typing::num_of_type;

/// Named addresses in scope (`std` → `0x1`, ...).
pub type NamedAddresses = BTreeMap<String, AccountAddress>;

/// The first file-format version that carries `diem::metadata_v1`; older modules get the error
/// map alone under `diem::metadata_v0`.
pub const METADATA_V1_MIN_VERSION: u32 = 6;

/// Attribute naming a view function.
const VIEW_ATTRIBUTE: &str = "view";
const RESOURCE_GROUP: &str = "resource_group";
const RESOURCE_GROUP_MEMBER: &str = "resource_group_member";
/// Deepest constant-expression nesting (and constant-to-constant chain) evaluated.
const MAX_EVAL_DEPTH: usize = 64;

/// Why the metadata of a module cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeMetadataError {
    /// The module's address is a name with no value.
    #[error("module {module}: address '{address}' has no value")]
    UnboundAddress { module: String, address: String },
    /// A module declared without an address outside an `address` block.
    #[error("module {module}: no address")]
    NoAddress { module: String },
}

// ---------------------------------------------------------------------------------------------
// The parsed modules

/// One module of a parsed file, with its address resolved.
#[derive(Clone, Copy, Debug)]
pub struct SourceModule<'a> {
    pub address: AccountAddress,
    pub module: &'a ModuleDefinition,
    /// The documentation comments of the module's file, keyed by item start.
    pub doc_comments: &'a BTreeMap<u32, String>,
}

impl<'a> SourceModule<'a> {
    /// The module's name.
    pub fn name(&self) -> &'a str {
        self.module.name.value.as_str()
    }

    /// `0x1::coin`.
    pub fn id_string(&self) -> String {
        format!("{}::{}", self.address.to_hex_literal(), self.name())
    }

    /// The members a non-test build keeps: `#[test]`, `#[test_only]` and `#[verify_only]`
    /// members are left out before anything else looks at the module.
    pub fn members(&self) -> impl Iterator<Item = &'a ModuleMember> + 'a {
        self.module
            .members
            .iter()
            .filter(|m| !is_test_or_verify(member_attributes(m)))
    }

    /// The functions a non-test build keeps, in source order.
    pub fn functions(&self) -> impl Iterator<Item = &'a Function> + 'a {
        self.members().filter_map(|m| match m {
            ModuleMember::Function(f) => Some(f),
            _ => None,
        })
    }

    /// The structs a non-test build keeps, in source order.
    pub fn structs(&self) -> impl Iterator<Item = &'a StructDefinition> + 'a {
        self.members().filter_map(|m| match m {
            ModuleMember::Struct(s) => Some(s),
            _ => None,
        })
    }

    /// The constants a non-test build keeps, in source order.
    pub fn constants(&self) -> impl Iterator<Item = &'a Constant> + 'a {
        self.members().filter_map(|m| match m {
            ModuleMember::Constant(c) => Some(c),
            _ => None,
        })
    }

    /// The documentation comment of the item starting at `loc`, or "".
    pub fn doc(&self, loc: Loc) -> &'a str {
        self.doc_comments
            .get(&loc.start)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The module's own struct named `name`.
    pub fn find_struct(&self, name: &str) -> Option<&'a StructDefinition> {
        self.structs().find(|s| s.name.value.as_str() == name)
    }
}

/// The modules of `file` that a non-test build compiles (spec and `#[test_only]` modules are
/// left out), with their addresses resolved through `named`.
pub fn source_modules<'a>(
    file: &'a SourceFile,
    named: &NamedAddresses,
) -> Result<Vec<SourceModule<'a>>, RuntimeMetadataError> {
    let mut out = Vec::new();
    for def in &file.definitions {
        let (block_address, modules): (Option<&LeadingNameAccess>, &[ModuleDefinition]) = match def
        {
            Definition::Module(m) => (None, std::slice::from_ref(m)),
            Definition::Address(a) => (Some(&a.addr), &a.modules),
            Definition::Script(_) => continue,
        };
        if matches!(def, Definition::Address(a) if is_test_or_verify(&a.attributes)) {
            continue;
        }
        for m in modules {
            if m.is_spec_module || is_test_or_verify(&m.attributes) {
                continue;
            }
            let lead = m.address.as_ref().or(block_address).ok_or_else(|| {
                RuntimeMetadataError::NoAddress {
                    module: m.name.value.to_string(),
                }
            })?;
            let address = resolve_address(named, lead).ok_or_else(|| {
                RuntimeMetadataError::UnboundAddress {
                    module: m.name.value.to_string(),
                    address: leading_text(lead),
                }
            })?;
            out.push(SourceModule {
                address,
                module: m,
                doc_comments: &file.doc_comments,
            });
        }
    }
    Ok(out)
}

/// The modules one build can see: its own and those of its dependencies, in build order
/// (dependencies first, each package's modules in the compiler's order). The order decides
/// which of two error constants with the same code the error map keeps.
#[derive(Clone, Debug, Default)]
pub struct ModuleSet<'a> {
    pub named_addresses: NamedAddresses,
    pub modules: Vec<SourceModule<'a>>,
}

impl<'a> ModuleSet<'a> {
    pub fn new(named_addresses: NamedAddresses) -> Self {
        ModuleSet {
            named_addresses,
            modules: Vec::new(),
        }
    }

    /// Adds the modules of a parsed file.
    pub fn add_file(&mut self, file: &'a SourceFile) -> Result<(), RuntimeMetadataError> {
        let found = source_modules(file, &self.named_addresses)?;
        self.modules.extend(found);
        Ok(())
    }

    /// The module `address::name`.
    pub fn find(&self, address: &AccountAddress, name: &str) -> Option<&SourceModule<'a>> {
        self.modules
            .iter()
            .find(|m| m.address == *address && m.name() == name)
    }
}

fn member_attributes(m: &ModuleMember) -> &[Attributes] {
    match m {
        ModuleMember::Function(f) => &f.attributes,
        ModuleMember::Struct(s) => &s.attributes,
        ModuleMember::Use(u) => &u.attributes,
        ModuleMember::Friend(f) => &f.attributes,
        ModuleMember::Constant(c) => &c.attributes,
        ModuleMember::Spec(s) => &s.value.attributes,
    }
}

fn attribute_name(a: &Attribute) -> &str {
    match &a.value {
        Attribute_::Name(n) | Attribute_::Assigned(n, _) | Attribute_::Parameterized(n, _) => {
            n.value.as_str()
        }
    }
}

fn is_test_or_verify(attrs: &[Attributes]) -> bool {
    attrs
        .iter()
        .flat_map(|g| g.value.iter())
        .any(|a| matches!(attribute_name(a), "test" | "test_only" | "verify_only"))
}

/// The first attribute named `name` applied as `name` or `name(...)` (not `name = v`): the
/// form the upstream checks look for.
pub fn applied_attribute<'b>(attrs: &'b [Attributes], name: &str) -> Option<&'b Attribute> {
    attrs
        .iter()
        .flat_map(|g| g.value.iter())
        .find(|a| match &a.value {
            Attribute_::Name(n) | Attribute_::Parameterized(n, _) => n.value.as_str() == name,
            Attribute_::Assigned(..) => false,
        })
}

/// The arguments of an applied attribute (`name(a, b)`); none for a bare `name`.
fn applied_arguments(a: &Attribute) -> &[Attribute] {
    match &a.value {
        Attribute_::Parameterized(_, args) => &args.value,
        _ => &[],
    }
}

pub(crate) fn resolve_address(
    named: &NamedAddresses,
    lead: &LeadingNameAccess,
) -> Option<AccountAddress> {
    match &lead.value {
        LeadingNameAccess_::AnonymousAddress(n) => Some(AccountAddress::new(n.bytes)),
        LeadingNameAccess_::Name(n) => named.get(n.value.as_str()).copied(),
    }
}

fn leading_text(lead: &LeadingNameAccess) -> String {
    match &lead.value {
        LeadingNameAccess_::AnonymousAddress(n) => n.text.to_string(),
        LeadingNameAccess_::Name(n) => n.value.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Names: the module-level `use` aliases

/// A module member named from inside a module: its module's address and name, and its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualifiedName {
    pub address: AccountAddress,
    pub module: String,
    pub name: String,
}

impl QualifiedName {
    /// `0x1::string::String`.
    pub fn full_name_with_address(&self) -> String {
        format!(
            "{}::{}::{}",
            self.address.to_hex_literal(),
            self.module,
            self.name
        )
    }
}

/// The aliases the `use` lines at the top level of a module declare.
#[derive(Clone, Debug, Default)]
pub struct ModuleAliases {
    modules: BTreeMap<String, (AccountAddress, String)>,
    members: BTreeMap<String, QualifiedName>,
}

impl ModuleAliases {
    /// The aliases of `module`'s (non-test) `use` lines; `Self` names the module itself.
    pub fn of(module: &SourceModule<'_>, named: &NamedAddresses) -> Self {
        let mut out = ModuleAliases::default();
        out.modules.insert(
            "Self".to_string(),
            (module.address, module.name().to_string()),
        );
        for m in module.members() {
            let ModuleMember::Use(u) = m else { continue };
            let (ident, members) = match &u.use_ {
                Use::Module(ident, alias) => {
                    let Some(addr) = resolve_address(named, &ident.value.address) else {
                        continue;
                    };
                    let name = alias.as_ref().unwrap_or(&ident.value.module);
                    out.modules.insert(
                        name.value.to_string(),
                        (addr, ident.value.module.value.to_string()),
                    );
                    continue;
                }
                Use::Members(ident, members) => (ident, members),
            };
            let Some(addr) = resolve_address(named, &ident.value.address) else {
                continue;
            };
            let module_name = ident.value.module.value.to_string();
            for (member, alias) in members {
                if member.value.as_str() == "Self" {
                    let name = alias.as_ref().unwrap_or(&ident.value.module);
                    out.modules
                        .insert(name.value.to_string(), (addr, module_name.clone()));
                } else {
                    let name = alias.as_ref().unwrap_or(member);
                    out.members.insert(
                        name.value.to_string(),
                        QualifiedName {
                            address: addr,
                            module: module_name.clone(),
                            name: member.value.to_string(),
                        },
                    );
                }
            }
        }
        out
    }

    /// What a two- or three-part access `m::x` / `a::m::x` names; a single name only when a
    /// `use` aliases it.
    pub fn resolve(
        &self,
        named: &NamedAddresses,
        chain: &NameAccessChain,
    ) -> Option<QualifiedName> {
        match &chain.value {
            NameAccessChain_::One(n) => self.members.get(n.value.as_str()).cloned(),
            NameAccessChain_::Two(lead, n) => {
                let LeadingNameAccess_::Name(alias) = &lead.value else {
                    return None;
                };
                let (address, module) = self.modules.get(alias.value.as_str())?;
                Some(QualifiedName {
                    address: *address,
                    module: module.clone(),
                    name: n.value.to_string(),
                })
            }
            NameAccessChain_::Three(am, n) => {
                let (lead, module) = &am.value;
                Some(QualifiedName {
                    address: resolve_address(named, lead)?,
                    module: module.value.to_string(),
                    name: n.value.to_string(),
                })
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resource groups

/// The scope of a resource group container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceGroupScope {
    Global,
    Address,
    Module,
}

impl ResourceGroupScope {
    /// The attribute spelling, also the metadata argument.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceGroupScope::Global => "global",
            ResourceGroupScope::Address => "address",
            ResourceGroupScope::Module => "module_",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "global" => Some(ResourceGroupScope::Global),
            "address" => Some(ResourceGroupScope::Address),
            "module_" => Some(ResourceGroupScope::Module),
            _ => None,
        }
    }

    /// Whether a member in module `member` may join a group declared in module `group`.
    fn admits(self, member: (&AccountAddress, &str), group: (&AccountAddress, &str)) -> bool {
        match self {
            ResourceGroupScope::Global => true,
            ResourceGroupScope::Address => member.0 == group.0,
            ResourceGroupScope::Module => member == group,
        }
    }
}

/// The outcome of reading one struct's resource-group attribute: nothing, the recorded
/// attribute, or the rule it breaks (the upstream message).
pub(crate) type AttributeReading = Option<Result<KnownAttribute, &'static str>>;

/// Reads `#[resource_group(scope = ..)]` on `s`: `None` without the attribute, otherwise the
/// scope or why the container is invalid. Messages are upstream's.
pub(crate) fn resource_group_scope(
    s: &StructDefinition,
) -> Option<Result<ResourceGroupScope, String>> {
    let attr = applied_attribute(&s.attributes, RESOURCE_GROUP)?;
    Some(check_container(s, attr))
}

fn check_container(s: &StructDefinition, attr: &Attribute) -> Result<ResourceGroupScope, String> {
    // The compiler gives a struct without fields one `dummy_field`: that one is allowed.
    let fields: &[_] = match &s.fields {
        StructFields::Defined(f) => f,
        StructFields::Native(_) => &[],
    };
    if fields.len() > 1
        || fields
            .iter()
            .any(|(n, _)| n.value.as_str() != "dummy_field")
    {
        return Err("resource_group should not have fields".into());
    }
    if !s.abilities.is_empty() {
        return Err("resource_group should not have abilities".into());
    }
    if !s.type_parameters.is_empty() {
        return Err("resource_group should not have type parameters".into());
    }
    let args = applied_arguments(attr);
    if args.len() != 1 {
        return Err("resource_group_container must contain 1 parameters".into());
    }
    let Attribute_::Assigned(name, value) = &args[0].value else {
        return Err("resource_group_container lacks 'scope' parameter".into());
    };
    // Upstream reports a wrong key but still reads the value; the build fails either way.
    if name.value.as_str() != "scope" {
        return Err("resource_group_container lacks 'scope' parameter".into());
    }
    let text = match &value.value {
        AttributeValue_::ModuleAccess(chain) => last_name(chain),
        AttributeValue_::Value(_) => {
            return Err("resource_group lacks 'container' parameter".into());
        }
    };
    ResourceGroupScope::parse(text)
        .ok_or_else(|| format!("resource_group_container invalid 'scope': {text}"))
}

fn last_name(chain: &NameAccessChain) -> &str {
    match &chain.value {
        NameAccessChain_::One(n) | NameAccessChain_::Two(_, n) | NameAccessChain_::Three(_, n) => {
            n.value.as_str()
        }
    }
}

/// Reads `#[resource_group_member(group = a::m::S)]` on `s` of `module`: `None` without the
/// attribute, otherwise the metadata attribute (naming the container with its address) or
/// why the membership is invalid.
pub(crate) fn resource_group_member(
    module: &SourceModule<'_>,
    s: &StructDefinition,
    set: &ModuleSet<'_>,
) -> AttributeReading {
    let attr = applied_attribute(&s.attributes, RESOURCE_GROUP_MEMBER)?;
    Some(check_member(module, s, attr, set))
}

fn check_member(
    module: &SourceModule<'_>,
    s: &StructDefinition,
    attr: &Attribute,
    set: &ModuleSet<'_>,
) -> Result<KnownAttribute, &'static str> {
    if !s.abilities.iter().any(|a| a.value == Ability_::Key) {
        return Err("resource_group should have key ability");
    }
    let args = applied_arguments(attr);
    if args.len() != 1 {
        return Err("resource_group_member must contain 1 parameters");
    }
    let Attribute_::Assigned(name, value) = &args[0].value else {
        return Err("resource_group_member lacks 'group' parameter");
    };
    if name.value.as_str() != "group" {
        return Err("resource_group_member lacks 'group' parameter");
    }
    let AttributeValue_::ModuleAccess(chain) = &value.value else {
        return Err("resource_group_member lacks 'group' parameter");
    };
    let aliases = ModuleAliases::of(module, &set.named_addresses);
    // A single name that no `use` aliases has no module part.
    let Some(target) = aliases.resolve(&set.named_addresses, chain) else {
        return Err("resource_group_member lacks 'group' parameter");
    };
    let container_module = if target.address == module.address && target.module == module.name() {
        Some(module)
    } else {
        set.find(&target.address, &target.module)
    };
    let Some(container_module) = container_module else {
        return Err("unable to find resource_group module");
    };
    let Some(container) = container_module.find_struct(&target.name) else {
        return Err("unable to find resource_group struct");
    };
    match resource_group_scope(container) {
        Some(Ok(scope)) => {
            let member_id = (&module.address, module.name());
            let group_id = (&container_module.address, container_module.name());
            if !scope.admits(member_id, group_id) {
                return Err("resource_group scope mismatch");
            }
            Ok(KnownAttribute {
                kind: 3,
                args: vec![target.full_name_with_address()],
            })
        }
        _ => Err("container is not a resource_group_container"),
    }
}

// ---------------------------------------------------------------------------------------------
// The metadata

/// Whether `f` carries `#[view]` (as `view` or `view(...)`).
pub fn is_view_function(f: &Function) -> bool {
    applied_attribute(&f.attributes, VIEW_ATTRIBUTE).is_some()
}

/// The runtime metadata of `module`, as upstream computes it, before the decision whether to
/// attach it: error map, struct attributes, function attributes (each map in source order; the
/// encoder sorts). Invalid resource-group attributes are left out (the extended checks reject
/// them).
pub fn compute_runtime_metadata(
    module: &SourceModule<'_>,
    set: &ModuleSet<'_>,
) -> RuntimeModuleMetadata {
    let mut md = RuntimeModuleMetadata::default();
    // Resource group containers first, then members, as upstream records them.
    for s in module.structs() {
        if let Some(Ok(scope)) = resource_group_scope(s) {
            push_attribute(
                &mut md.struct_attributes,
                s.name.value.as_str(),
                KnownAttribute {
                    kind: 2,
                    args: vec![scope.as_str().to_string()],
                },
            );
        }
    }
    for s in module.structs() {
        if let Some(Ok(attr)) = resource_group_member(module, s, set) {
            push_attribute(&mut md.struct_attributes, s.name.value.as_str(), attr);
        }
    }
    for f in module.functions() {
        if is_view_function(f) {
            push_attribute(
                &mut md.fun_attributes,
                f.name.value.as_str(),
                KnownAttribute {
                    kind: 1,
                    args: vec![],
                },
            );
        }
    }
    if !(module.address == AccountAddress::ONE && module.name() == "error") {
        md.error_map = error_map(module, set);
    }
    md
}

/// The metadata entry upstream attaches to `module`, or `None` when it attaches none: the
/// metadata is empty (no `E…` integer constant, no view function, no resource group), which is
/// always the case for `0x1::error`.
pub fn runtime_metadata(
    module: &SourceModule<'_>,
    set: &ModuleSet<'_>,
) -> Option<RuntimeModuleMetadata> {
    let md = compute_runtime_metadata(module, set);
    let empty =
        md.error_map.is_empty() && md.struct_attributes.is_empty() && md.fun_attributes.is_empty();
    (!empty).then_some(md)
}

fn push_attribute(map: &mut Vec<(String, Vec<KnownAttribute>)>, name: &str, a: KnownAttribute) {
    match map.iter_mut().find(|(n, _)| n == name) {
        Some((_, attrs)) => attrs.push(a),
        None => map.push((name.to_string(), vec![a])),
    }
}

/// The error map: each constant whose name starts with `E` and whose value is an integer that
/// fits in u64, described by its trimmed doc comment.
///
/// Where two constants share a code, upstream keeps the one it visits last, and it visits a
/// module's constants in the order their names entered the model's symbol pool: see
/// [`symbol_order`]. The winner is put first here (the encoder keeps the first of equal keys).
fn error_map(module: &SourceModule<'_>, set: &ModuleSet<'_>) -> Vec<(u64, ErrorDescription)> {
    let constants: Vec<&Constant> = module.constants().collect();
    let order = symbol_order(module, set);
    let rank = |name: &str| order.get(name).copied().unwrap_or(usize::MAX);
    let mut errors: Vec<&Constant> = constants
        .iter()
        .copied()
        .filter(|c| c.name.value.as_str().starts_with('E'))
        .collect();
    errors.sort_by_key(|c| rank(c.name.value.as_str()));
    let mut by_code: BTreeMap<u64, ErrorDescription> = BTreeMap::new();
    for c in errors {
        let Some(code) = constant_value(c, &constants, 0).and_then(|v| as_u64(&v)) else {
            continue;
        };
        by_code.insert(
            code,
            ErrorDescription {
                code_name: c.name.value.as_str().trim().to_string(),
                code_description: module.doc(c.loc).trim().to_string(),
            },
        );
    }
    by_code.into_iter().collect()
}

/// The order in which upstream's model interns the names that can collide with a constant
/// name, up to and including `module`: module by module in build order (the order of
/// `set.modules`, dependencies first), and within a module its name, then its struct names,
/// function names and constant names, each group in alphabetical order. A name keeps the
/// position where it was first seen.
fn symbol_order(module: &SourceModule<'_>, set: &ModuleSet<'_>) -> BTreeMap<String, usize> {
    let mut order = BTreeMap::new();
    let position = set
        .modules
        .iter()
        .position(|m| m.address == module.address && m.name() == module.name());
    let earlier = match position {
        Some(i) => &set.modules[..i],
        None => &set.modules[..],
    };
    for m in earlier.iter().chain(std::iter::once(module)) {
        let mut intern = |name: &str| {
            let next = order.len();
            order.entry(name.to_string()).or_insert(next);
        };
        intern(m.name());
        let mut structs: Vec<&str> = m.structs().map(|s| s.name.value.as_str()).collect();
        let mut funs: Vec<&str> = m.functions().map(|f| f.name.value.as_str()).collect();
        let mut consts: Vec<&str> = m.constants().map(|c| c.name.value.as_str()).collect();
        for group in [&mut structs, &mut funs, &mut consts] {
            group.sort_unstable();
            group.iter().for_each(|n| intern(n));
        }
    }
    order
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::U8(x) => Some(u64::from(*x)),
        Value::U16(x) => Some(u64::from(*x)),
        Value::U32(x) => Some(u64::from(*x)),
        Value::U64(x) => Some(*x),
        Value::U128(x) => u64::try_from(*x).ok(),
        Value::U256(x) => u64::try_from(*x).ok(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Constant values

/// The integer type a parsed type names, if it is one.
fn integer_type(t: &PType) -> Option<VType> {
    let Type_::Apply(chain, args) = &t.value else {
        return None;
    };
    let NameAccessChain_::One(n) = &chain.value else {
        return None;
    };
    if !args.is_empty() {
        return None;
    }
    Some(match n.value.as_str() {
        "u8" => VType::U8,
        "u16" => VType::U16,
        "u32" => VType::U32,
        "u64" => VType::U64,
        "u128" => VType::U128,
        "u256" => VType::U256,
        _ => return None,
    })
}

fn suffix_type(s: IntSuffix) -> VType {
    match s {
        IntSuffix::U8 => VType::U8,
        IntSuffix::U16 => VType::U16,
        IntSuffix::U32 => VType::U32,
        IntSuffix::U64 => VType::U64,
        IntSuffix::U128 => VType::U128,
        IntSuffix::U256 => VType::U256,
    }
}

/// The value of an integer constant (what the compiler folds into the constant pool), or
/// `None` for other types and for expressions that do not fold.
fn constant_value(c: &Constant, all: &[&Constant], depth: usize) -> Option<Value> {
    let ty = integer_type(&c.signature)?;
    if depth > MAX_EVAL_DEPTH {
        return None;
    }
    let v = eval(&c.value, Some(&ty), all, depth + 1)?;
    // The constant has its declared type.
    (value_type(&v).as_ref() == Some(&ty)).then_some(v)
}

fn value_type(v: &Value) -> Option<VType> {
    Some(match v {
        Value::U8(_) => VType::U8,
        Value::U16(_) => VType::U16,
        Value::U32(_) => VType::U32,
        Value::U64(_) => VType::U64,
        Value::U128(_) => VType::U128,
        Value::U256(_) => VType::U256,
        _ => return None,
    })
}

/// Evaluates an integer constant expression; an unsuffixed literal takes the type the context
/// expects (u64 where nothing constrains it, as inference defaults).
fn eval(e: &Exp, expected: Option<&VType>, all: &[&Constant], depth: usize) -> Option<Value> {
    if depth > MAX_EVAL_DEPTH {
        return None;
    }
    match &e.value {
        Exp_::Value(v) => match &v.value {
            Value_::Num(text) => {
                let (n, suffix) = parse_number(text.as_str()).ok()?;
                let ty = match suffix {
                    Some(s) => suffix_type(s),
                    None => expected.cloned().unwrap_or(VType::U64),
                };
                num_of_type(&ty, n)
            }
            _ => None,
        },
        Exp_::Name(chain, None) => {
            let NameAccessChain_::One(n) = &chain.value else {
                return None;
            };
            let c = all.iter().find(|c| c.name.value == n.value)?;
            constant_value(c, all, depth + 1)
        }
        Exp_::Annotate(inner, t) => {
            let ty = integer_type(t)?;
            let v = eval(inner, Some(&ty), all, depth + 1)?;
            (value_type(&v) == Some(ty)).then_some(v)
        }
        Exp_::Cast(inner, t) => {
            let ty = integer_type(t)?;
            let v = eval(inner, None, all, depth + 1)?;
            fold_cast(&ty, v)
        }
        Exp_::Block(seq) if seq.items.is_empty() && seq.uses.is_empty() => {
            eval(seq.result.as_deref()?, expected, all, depth + 1)
        }
        Exp_::BinopExp(a, op, b) => {
            use BinOp_ as B;
            match op.value {
                B::Shl | B::Shr => {
                    let l = eval(a, expected, all, depth + 1)?;
                    let r = eval(b, Some(&VType::U8), all, depth + 1)?;
                    fold_binop(op.value, l, r)
                }
                B::Add | B::Sub | B::Mul | B::Div | B::Mod | B::BitOr | B::BitAnd | B::Xor => {
                    // A typed operand fixes the type of an unsuffixed one.
                    let ty = expected
                        .cloned()
                        .or_else(|| inherent_type(a, all))
                        .or_else(|| inherent_type(b, all));
                    let l = eval(a, ty.as_ref(), all, depth + 1)?;
                    let r = eval(b, ty.as_ref(), all, depth + 1)?;
                    fold_binop(op.value, l, r)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The type an expression has without context (a suffixed literal, a constant, a cast), if any.
fn inherent_type(e: &Exp, all: &[&Constant]) -> Option<VType> {
    match &e.value {
        Exp_::Value(v) => match &v.value {
            Value_::Num(text) => parse_number(text.as_str()).ok()?.1.map(suffix_type),
            _ => None,
        },
        Exp_::Name(chain, None) => {
            let NameAccessChain_::One(n) = &chain.value else {
                return None;
            };
            let c = all.iter().find(|c| c.name.value == n.value)?;
            integer_type(&c.signature)
        }
        Exp_::Annotate(_, t) | Exp_::Cast(_, t) => integer_type(t),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The module's METADATA table

/// Removes the `diem::metadata_v1` and `diem::metadata_v0` entries from `module`.
pub fn strip_runtime_metadata(module: &mut CompiledModule) {
    module
        .metadata
        .retain(|m| m.key != METADATA_KEY_V1 && m.key != METADATA_KEY_V0);
}

/// Appends `metadata` to the end of `module`'s METADATA table as upstream does: key
/// `diem::metadata_v1` with the BCS value for file format 6 and later, `diem::metadata_v0` with
/// the error map alone before that. Nothing is added for empty metadata. Returns whether an
/// entry was added.
pub fn inject_runtime_metadata(
    module: &mut CompiledModule,
    metadata: &RuntimeModuleMetadata,
) -> bool {
    let empty = metadata.error_map.is_empty()
        && metadata.struct_attributes.is_empty()
        && metadata.fun_attributes.is_empty();
    if empty {
        return false;
    }
    let entry = if module.version >= METADATA_V1_MIN_VERSION {
        Metadata {
            key: METADATA_KEY_V1.to_vec(),
            value: metadata.encode(),
        }
    } else {
        let errors_only = RuntimeModuleMetadata {
            error_map: metadata.error_map.clone(),
            ..Default::default()
        };
        let mut value = errors_only.encode();
        // The v1 layout of an error map alone ends with two empty maps (`00 00`): the v0
        // layout is the same bytes without them.
        value.truncate(value.len().saturating_sub(2));
        Metadata {
            key: METADATA_KEY_V0.to_vec(),
            value,
        }
    };
    module.metadata.push(entry);
    true
}

// ---------------------------------------------------------------------------------------------
// A whole package

/// Why a package's modules cannot get their runtime metadata.
#[derive(Debug, thiserror::Error)]
pub enum PackageMetadataError {
    /// A source file that does not parse (the compiler would have said so first).
    #[error("{file}: does not parse")]
    Parse { file: String },
    #[error(transparent)]
    Resolve(#[from] RuntimeMetadataError),
    /// The extended checks rejected the package: each rule broken, as `error: …` and its
    /// `┌─ file:line:col` line.
    #[error("extended checks failed\n{}", .0.join("\n"))]
    ExtendedChecks(Vec<String>),
    /// A compiled module with no source module of the same address and name.
    #[error("no source defines module {0}")]
    NoSource(String),
    #[error("module {module}: {message}")]
    Serialize { module: String, message: String },
}

/// The package build's last step: runs the extended checks on the package's modules and
/// attaches each one's runtime metadata, rewriting `bytes` from the updated module.
///
/// `sources` are the package's files (in the order the compiler was given them, which
/// `source_index` refers to); `dependency_sources` the files of its dependencies, dependencies
/// first (they may define resource group containers); `modules` the compiler's output in its
/// order.
pub fn attach_package_metadata(
    sources: &[move_compiler::SourceFile],
    named_addresses: &NamedAddresses,
    dependency_sources: &[(String, String)],
    modules: &mut [move_compiler::CompiledModuleOutput],
) -> Result<(), PackageMetadataError> {
    use move_compiler::parser::ast::FileId;
    use move_compiler::parser::parse_file;

    let parse = |i: usize, name: &str, text: &str| {
        let out = parse_file(FileId(i as u32), text);
        match out.file {
            Some(f) if !out.diagnostics.iter().any(|d| d.is_error()) => Ok(f),
            _ => Err(PackageMetadataError::Parse {
                file: name.to_string(),
            }),
        }
    };
    let dep_files = dependency_sources
        .iter()
        .enumerate()
        .map(|(i, (name, text))| parse(sources.len() + i, name, text))
        .collect::<Result<Vec<_>, _>>()?;
    let own_files = sources
        .iter()
        .enumerate()
        .map(|(i, s)| parse(i, &s.name, &s.text))
        .collect::<Result<Vec<_>, _>>()?;

    let mut set = ModuleSet::new(named_addresses.clone());
    for f in &dep_files {
        // A dependency file that names an unknown address cannot hold a container anyone
        // here refers to.
        if let Ok(found) = source_modules(f, named_addresses) {
            set.modules.extend(found);
        }
    }
    let deps_count = set.modules.len();
    let mut own = Vec::new();
    for f in &own_files {
        own.extend(source_modules(f, named_addresses)?);
    }
    // The package's modules in the compiler's order.
    let position = |m: &SourceModule<'_>| {
        modules
            .iter()
            .position(|o| o.address == m.address && o.name == m.name())
    };
    own.sort_by_key(|m| position(m));
    set.modules.extend(own);

    let mut problems = Vec::new();
    for m in &set.modules[deps_count..] {
        let file = sources.get(m.module.loc.file.0 as usize);
        for d in crate::extended_checks::check_module(m, &set) {
            problems.push(match file {
                Some(f) => d.headline(&f.name, &f.text),
                None => d.to_string(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(PackageMetadataError::ExtendedChecks(problems));
    }

    for out in modules.iter_mut() {
        let id = format!("{}::{}", out.address.to_hex_literal(), out.name);
        let source = set.modules[deps_count..]
            .iter()
            .find(|m| m.address == out.address && m.name() == out.name)
            .ok_or_else(|| PackageMetadataError::NoSource(id.clone()))?;
        let Some(md) = runtime_metadata(source, &set) else {
            continue;
        };
        strip_runtime_metadata(&mut out.module);
        inject_runtime_metadata(&mut out.module, &md);
        out.bytes = out
            .module
            .serialize()
            .map_err(|e| PackageMetadataError::Serialize {
                module: id,
                message: e.to_string(),
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use move_compiler::parser::ast::FileId;
    use move_compiler::parser::parse_file;

    fn metadata_of(text: &str) -> Option<RuntimeModuleMetadata> {
        let file = parse_file(FileId(0), text).file.expect("parses");
        let mut set = ModuleSet::new(NamedAddresses::new());
        set.add_file(&file).expect("addresses");
        let m = *set.modules.last().expect("a module");
        runtime_metadata(&m, &set)
    }

    fn codes(md: &RuntimeModuleMetadata) -> Vec<(u64, String, String)> {
        md.error_map
            .iter()
            .map(|(c, d)| (*c, d.code_name.clone(), d.code_description.clone()))
            .collect()
    }

    #[test]
    fn error_map_reads_integer_e_constants_and_their_docs() {
        let md = metadata_of(
            "module 0xcafe::m {
                /// First.
                ///   Second.
                const EONE: u64 = 1;
                /** Block. */
                const ESMALL: u8 = 2;
                const EWIDE: u128 = 0x3;
                const ETOO_WIDE: u128 = 18446744073709551616;
                const EBYTES: vector<u8> = b\"x\";
                const NOT_ERROR: u64 = 4;
                #[test_only]
                const ETEST: u64 = 5;
                #[verify_only]
                const EVERIFY: u64 = 6;
                /// Not the constant's: an attribute comes between.
                #[lint_allow]
                const EATTR: u64 = 7;
                const EFOLDED: u64 = (1 << 4) + 2 * 3;
            }",
        )
        .expect("metadata");
        assert_eq!(
            codes(&md),
            [
                (1, "EONE".into(), "First.\n   Second.".into()),
                (2, "ESMALL".into(), "Block.".into()),
                (3, "EWIDE".into(), String::new()),
                (7, "EATTR".into(), String::new()),
                (22, "EFOLDED".into(), String::new()),
            ]
        );
    }

    #[test]
    fn duplicate_codes_keep_the_name_interned_last() {
        // Within one module, constant names enter the symbol pool alphabetically.
        let md = metadata_of("module 0xcafe::m { const EB: u64 = 1; const EA: u64 = 1; }")
            .expect("metadata");
        assert_eq!(codes(&md), [(1, "EB".into(), String::new())]);
        // A name an earlier module interned loses to one first seen here.
        let md = metadata_of(
            "module 0xcafe::a { const EZ: u64 = 7; }
             module 0xcafe::b { const EA: u64 = 1; const EZ: u64 = 1; }",
        )
        .expect("metadata");
        assert_eq!(codes(&md), [(1, "EA".into(), String::new())]);
    }

    #[test]
    fn modules_without_metadata_get_no_entry() {
        assert!(metadata_of("module 0xcafe::m { const MAX: u64 = 1; fun f() {} }").is_none());
        assert!(metadata_of("module 0x1::error { const EINVALID: u64 = 1; }").is_none());
        // `0x1::error` still records a view function.
        let md = metadata_of("module 0x1::error { #[view] fun v(): u64 { 1 } }").expect("md");
        assert_eq!(md.fun_attributes[0].0, "v");
    }

    #[test]
    fn injection_appends_the_entry_and_v5_gets_the_error_map_alone() {
        let md = metadata_of("module 0xcafe::m { const E: u64 = 1; #[view] fun v(): u64 { 1 } }")
            .expect("metadata");
        let mut module = CompiledModule {
            version: 6,
            ..Default::default()
        };
        module.metadata.push(Metadata {
            key: b"other".to_vec(),
            value: vec![],
        });
        assert!(inject_runtime_metadata(&mut module, &md));
        assert_eq!(module.metadata[1].key, METADATA_KEY_V1);
        assert_eq!(module.metadata[1].value, md.encode());
        strip_runtime_metadata(&mut module);
        assert_eq!(module.metadata.len(), 1);

        module.version = 5;
        assert!(inject_runtime_metadata(&mut module, &md));
        assert_eq!(module.metadata[1].key, METADATA_KEY_V0);
        let v0 = RuntimeModuleMetadata::decode(METADATA_KEY_V0, &module.metadata[1].value)
            .expect("v0 decodes");
        assert_eq!(v0.error_map, md.error_map);
        assert!(!inject_runtime_metadata(
            &mut module,
            &RuntimeModuleMetadata::default()
        ));
    }
}
