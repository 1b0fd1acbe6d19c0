//! The compiler's entry point for a package's modules: [`compile_modules`] parses every source
//! file, leaves out `#[test_only]` and `#[test]` items (unless building for tests) and
//! `#[verify_only]` ones, orders the modules so that each comes
//! after the package modules it uses, and compiles them one by one. Each module is compiled
//! against the dependency bytecode plus the modules of the package compiled before it; its own
//! structs and function signatures are declared from source first, so its bodies can name them.
//! Functions pass through the same passes as a script's; `to_bytecode` then lays out the module.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use move_bytecode::{AccountAddress, CompiledModule, StructTypeParameter, Visibility};

use crate::deps::{Dependencies, FunctionInfo, LocalModule, LocalStruct, ModuleKey, StructInfo};
use crate::driver::{CompileDiagnostic, CompileError, CompileOptions, BYTECODE_VERSION};
use crate::expansion::{self, Aliases, ModuleId};
use crate::inlining::{self, InlineLibrary};
use crate::parser::ast::{
    Attribute_, Attributes, Constant, Definition, FileId, FriendDecl, Function, FunctionBody_,
    LeadingNameAccess, Loc, ModuleDefinition, ModuleMember, NameAccessChain_, StructDefinition,
    StructFields, UseDecl, Visibility as PVisibility,
};
use crate::parser::{self, Severity};
use crate::source_map::{self, FunctionSource, ModuleSource, StructSource};
use crate::to_bytecode::{self, IrFunctionDecl, IrModule, IrStruct};
use crate::typing::acquires;
use crate::typing::ast::Type;
use crate::{cfgir, hlir, typing};

/// One source file of a package: its name (for messages) and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// A compiled module: the model, its serialized bytes (bytecode version 6, without runtime
/// metadata: that is added by the package builder) and where it came from.
#[derive(Clone, Debug)]
pub struct CompiledModuleOutput {
    pub address: AccountAddress,
    pub name: String,
    pub module: CompiledModule,
    pub bytes: Vec<u8>,
    /// Index into the `sources` given to [`compile_modules`] of the file that defines it.
    pub source_index: usize,
    /// Where each part of the module comes from in the sources (what dev bundles embed).
    pub source_map: move_bytecode::source_map::SourceMap,
    pub warnings: Vec<CompileDiagnostic>,
}

type Diags = Vec<CompileDiagnostic>;

fn fail(diagnostics: Diags) -> CompileError {
    CompileError { diagnostics }
}

fn error(
    code: &'static str,
    headline: &str,
    loc: Loc,
    msg: impl Into<String>,
) -> CompileDiagnostic {
    CompileDiagnostic::error(code, headline, loc, msg)
}

/// Whether any attribute group names `name` (`#[test_only]`, `#[test(..)]`, ...).
pub fn has_attribute(attrs: &[Attributes], name: &str) -> bool {
    attrs.iter().flat_map(|a| a.value.iter()).any(|a| {
        let n = match &a.value {
            Attribute_::Name(n) | Attribute_::Assigned(n, _) | Attribute_::Parameterized(n, _) => n,
        };
        n.value.as_str() == name
    })
}

/// Whether a member is left out of a build: prover-only code always, test code unless the
/// build is for tests.
fn left_out(attrs: &[Attributes], test_mode: bool) -> bool {
    has_attribute(attrs, "verify_only")
        || (!test_mode && (has_attribute(attrs, "test_only") || has_attribute(attrs, "test")))
}

fn member_attributes(m: &ModuleMember) -> &[Attributes] {
    match m {
        ModuleMember::Function(f) => &f.attributes,
        ModuleMember::Struct(s) => &s.attributes,
        ModuleMember::Use(u) => &u.attributes,
        ModuleMember::Friend(f) => &f.attributes,
        ModuleMember::Constant(c) => &c.attributes,
        _ => &[],
    }
}

/// A module to compile, with the file it came from.
struct Unit<'a> {
    id: ModuleId,
    def: &'a ModuleDefinition,
    source_index: usize,
}

fn address_of(
    named: &BTreeMap<String, AccountAddress>,
    a: &LeadingNameAccess,
) -> Result<(AccountAddress, Option<String>), CompileDiagnostic> {
    expansion::address(named, a)
}

/// Compiles every module of `sources` (one package; test items left out unless
/// [`CompileOptions::test_mode`]) against the
/// dependency modules `deps`. Modules come back in dependency order: a module after every
/// module of the package it references, ties in name order. Diagnostics carry
/// `Loc::file == FileId(index into sources)`.
pub fn compile_modules(
    sources: &[SourceFile],
    deps: &[CompiledModule],
    options: &CompileOptions,
) -> Result<Vec<CompiledModuleOutput>, CompileError> {
    let named = &options.named_addresses;
    let mut diags = vec![];
    let mut files = vec![];
    for (i, src) in sources.iter().enumerate() {
        let parsed = parser::parse_file(FileId(i as u32), &src.text);
        for d in &parsed.diagnostics {
            if d.severity >= Severity::NonBlockingError {
                diags.push(CompileDiagnostic {
                    code: None,
                    headline: d.code.headline().to_string(),
                    primary: d.primary.clone(),
                    secondary: d.secondary.clone(),
                    is_error: true,
                });
            }
        }
        if let Some(f) = parsed.file {
            files.push((i, f));
        }
    }
    if !diags.is_empty() {
        return Err(fail(diags));
    }
    let mut units = vec![];
    for (i, f) in &files {
        for def in &f.definitions {
            let (modules, outer): (Vec<&ModuleDefinition>, Option<&LeadingNameAccess>) = match def {
                Definition::Module(m) => (vec![m], None),
                Definition::Address(a) => (a.modules.iter().collect(), Some(&a.addr)),
                Definition::Script(_) => continue,
            };
            for m in modules {
                if m.is_spec_module || left_out(&m.attributes, options.test_mode) {
                    continue;
                }
                let Some(lead) = m.address.as_ref().or(outer) else {
                    diags.push(error(
                        "E02001",
                        "missing address",
                        m.name.loc,
                        "Invalid module declaration. The module does not have a specified address",
                    ));
                    continue;
                };
                match address_of(named, lead) {
                    Ok((address, address_name)) => units.push(Unit {
                        id: ModuleId {
                            address,
                            address_name,
                            name: m.name.value.to_string(),
                        },
                        def: m,
                        source_index: *i,
                    }),
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    if !diags.is_empty() {
        return Err(fail(diags));
    }
    // Upstream visits the package's modules in (address, name) order; the inliner's counter
    // follows that order.
    units.sort_by(|a, b| (a.id.address, &a.id.name).cmp(&(b.id.address, &b.id.name)));
    let declared: Vec<Declared> = units
        .iter()
        .map(|u| Declared::new(u, options.test_mode))
        .collect();

    // Declarations of every module of the package first (struct headers, then field types and
    // function signatures), so that bodies can name any of them whatever the compile order.
    let mut locals = BTreeMap::new();
    for d in &declared {
        match d.headers(named) {
            Ok(l) => {
                locals.insert(d.key(), l);
            }
            Err(e) => diags.extend(e),
        }
    }
    if !diags.is_empty() {
        return Err(fail(diags));
    }
    let header_env = Dependencies::new(deps).with_locals(locals.clone());
    let mut scopes = vec![];
    for d in &declared {
        let key = d.key();
        let result = d.aliases(named, &header_env).and_then(|aliases| {
            let local = locals.get_mut(&key).ok_or_else(Vec::new)?;
            d.signatures(named, &header_env, &aliases, local)?;
            Ok(aliases)
        });
        match result {
            Ok(a) => scopes.push(a),
            Err(e) => diags.extend(e),
        }
    }
    if !diags.is_empty() {
        return Err(fail(diags));
    }

    // Inline functions may come from the dependencies or from this package.
    let mut inline_sources = options.dependency_sources.clone();
    inline_sources.extend(sources.iter().map(|s| (s.name.clone(), s.text.clone())));
    let library = OnceCell::new();
    let file_hashes = source_map::FileHashes::new(
        sources.iter().map(|s| s.text.as_str()),
        inline_sources.iter().map(|(_, text)| text.as_str()),
    );
    let mut env = Dependencies::new(deps).with_locals(locals);
    // The dependencies' modules take their turn in the same (address, name) order.
    let mut dep_counts = dependency_rename_counts(&options.dependency_sources, deps, named)
        .into_iter()
        .peekable();
    let mut rename_counter = 0;
    let mut outputs = vec![];
    for (d, aliases) in declared.iter().zip(&scopes) {
        while let Some((_, n)) = dep_counts.next_if(|(k, _)| *k < d.key()) {
            rename_counter += n;
        }
        env.set_current(Some(d.key()));
        let ctx = BodyContext {
            env: &env,
            named,
            library: &library,
            inline_sources: &inline_sources,
            files: &file_hashes,
        };
        match d.compile(&ctx, aliases, &mut rename_counter) {
            Ok(out) => outputs.push(out),
            Err(e) => diags.extend(e),
        }
    }
    if !diags.is_empty() {
        return Err(fail(diags));
    }
    Ok(dependency_order(outputs))
}

/// How many variables the inliner renames in each module of the dependency sources (their
/// non-inline build functions): upstream's counter runs through the dependencies' modules too,
/// in the same (address, name) order as the package's own.
pub(crate) fn dependency_rename_counts(
    sources: &[(String, String)],
    deps: &[CompiledModule],
    named: &BTreeMap<String, AccountAddress>,
) -> BTreeMap<ModuleKey, usize> {
    use std::sync::{Mutex, OnceLock};
    type Key = (
        Vec<(String, String)>,
        BTreeMap<String, AccountAddress>,
        usize,
    );
    type Entry = (Key, BTreeMap<ModuleKey, usize>);
    // Compiling many units against one release counts the same sources again and again, so a
    // few recent results are kept, keyed by the sources, the addresses and the dependency count
    // (the dependencies are those sources' compiled modules).
    static CACHE: OnceLock<Mutex<Vec<Entry>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(vec![]));
    let hit = |k: &Key| k.0 == sources && k.1 == *named && k.2 == deps.len();
    if let Some(counts) = cache
        .lock()
        .ok()
        .and_then(|c| c.iter().find(|(k, _)| hit(k)).map(|(_, v)| v.clone()))
    {
        return counts;
    }
    let counts = count_renames(sources, deps, named);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= 4 {
            c.remove(0);
        }
        c.push((
            (sources.to_vec(), named.clone(), deps.len()),
            counts.clone(),
        ));
    }
    counts
}

fn count_renames(
    sources: &[(String, String)],
    deps: &[CompiledModule],
    named: &BTreeMap<String, AccountAddress>,
) -> BTreeMap<ModuleKey, usize> {
    let mut counts = BTreeMap::new();
    let files: Vec<_> = sources
        .iter()
        .enumerate()
        .filter_map(|(i, (_, text))| parser::parse_file(FileId(1000 + i as u32), text).file)
        .collect();
    let mut units = vec![];
    for f in &files {
        for def in &f.definitions {
            let (modules, outer): (Vec<&ModuleDefinition>, Option<&LeadingNameAccess>) = match def {
                Definition::Module(m) => (vec![m], None),
                Definition::Address(a) => (a.modules.iter().collect(), Some(&a.addr)),
                Definition::Script(_) => continue,
            };
            for m in modules {
                if m.is_spec_module || left_out(&m.attributes, false) {
                    continue;
                }
                let Some(Ok((address, address_name))) =
                    m.address.as_ref().or(outer).map(|a| address_of(named, a))
                else {
                    continue;
                };
                units.push(Unit {
                    id: ModuleId {
                        address,
                        address_name,
                        name: m.name.value.to_string(),
                    },
                    def: m,
                    source_index: 0,
                });
            }
        }
    }
    units.sort_by(|a, b| (a.id.address, &a.id.name).cmp(&(b.id.address, &b.id.name)));
    let env = Dependencies::new(deps);
    let library = OnceCell::new();
    for unit in &units {
        let d = Declared::new(unit, false);
        let Ok(aliases) = d.aliases(named, &env) else {
            continue;
        };
        let mut counter = 0;
        for f in d.functions.iter().filter(|f| !f.inline) {
            if matches!(f.body.value, FunctionBody_::Defined(_)) {
                let _ = inlining::inline_function(
                    f,
                    &aliases,
                    named,
                    &env,
                    &library,
                    sources,
                    &mut counter,
                );
            }
        }
        counts.insert(d.key(), counter);
    }
    counts
}

/// Orders compiled modules so that each follows the package modules it references (ties in
/// name order).
fn dependency_order(modules: Vec<CompiledModuleOutput>) -> Vec<CompiledModuleOutput> {
    let keys: Vec<ModuleKey> = modules
        .iter()
        .map(|m| (m.address, m.name.clone()))
        .collect();
    let uses: Vec<BTreeSet<usize>> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let c = &m.module;
            c.module_handles
                .iter()
                .filter_map(|h| {
                    let a = c.address_identifiers.get(h.address.into_index())?;
                    let n = c.identifiers.get(h.name.into_index())?;
                    keys.iter().position(|k| &k.0 == a && k.1 == n.as_str())
                })
                .filter(|j| *j != i)
                .collect()
        })
        .collect();
    let mut placed = vec![false; modules.len()];
    let mut order = vec![];
    fn place(i: usize, uses: &[BTreeSet<usize>], placed: &mut [bool], order: &mut Vec<usize>) {
        if placed[i] {
            return;
        }
        placed[i] = true;
        for &j in &uses[i] {
            place(j, uses, placed, order);
        }
        order.push(i);
    }
    for i in 0..modules.len() {
        place(i, &uses, &mut placed, &mut order);
    }
    let mut slots: Vec<Option<CompiledModuleOutput>> = modules.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The struct name an `acquires` entry names (`R`, `m::R` or `0x1::m::R`).
fn last_name(chain: &crate::parser::ast::NameAccessChain) -> String {
    match &chain.value {
        NameAccessChain_::One(n) | NameAccessChain_::Two(_, n) | NameAccessChain_::Three(_, n) => {
            n.value.to_string()
        }
    }
}

fn visibility(v: &PVisibility) -> Visibility {
    match v {
        PVisibility::Public(_) | PVisibility::Script(_) => Visibility::Public,
        PVisibility::Friend(_) => Visibility::Friend,
        PVisibility::Internal => Visibility::Private,
    }
}

/// What every function body of the package compiles with.
struct BodyContext<'e, 'd> {
    env: &'e Dependencies<'d>,
    named: &'e BTreeMap<String, AccountAddress>,
    library: &'e OnceCell<InlineLibrary>,
    inline_sources: &'e [(String, String)],
    files: &'e source_map::FileHashes<'e>,
}

/// A module's members (build members only), sorted by name as upstream lays them out.
struct Declared<'a> {
    unit: &'a Unit<'a>,
    structs: Vec<&'a StructDefinition>,
    functions: Vec<&'a Function>,
    constants: Vec<Constant>,
    uses: Vec<UseDecl>,
    friends: Vec<&'a FriendDecl>,
}

impl<'a> Declared<'a> {
    fn new(unit: &'a Unit<'a>, test_mode: bool) -> Self {
        let mut d = Declared {
            unit,
            structs: vec![],
            functions: vec![],
            constants: vec![],
            uses: vec![],
            friends: vec![],
        };
        for m in &unit.def.members {
            if left_out(member_attributes(m), test_mode) {
                continue;
            }
            match m {
                ModuleMember::Struct(s) => d.structs.push(s),
                ModuleMember::Function(f) => d.functions.push(f),
                ModuleMember::Constant(c) => d.constants.push(c.clone()),
                ModuleMember::Use(u) => d.uses.push(u.clone()),
                ModuleMember::Friend(f) => d.friends.push(f),
                _ => {}
            }
        }
        d.structs
            .sort_by(|a, b| a.name.value.as_str().cmp(b.name.value.as_str()));
        d.functions
            .sort_by(|a, b| a.name.value.as_str().cmp(b.name.value.as_str()));
        d
    }

    fn key(&self) -> ModuleKey {
        (self.unit.id.address, self.unit.id.name.clone())
    }

    /// Struct names, abilities and type parameters, and the friends.
    fn headers(&self, named: &BTreeMap<String, AccountAddress>) -> Result<LocalModule, Diags> {
        let id = &self.unit.id;
        let mut local = LocalModule::default();
        for s in &self.structs {
            local.structs.insert(
                s.name.value.to_string(),
                LocalStruct {
                    info: StructInfo {
                        abilities: s.abilities.iter().map(|a| ability(&a.value)).collect(),
                        type_parameters: s
                            .type_parameters
                            .iter()
                            .map(|p| StructTypeParameter {
                                constraints: p
                                    .constraints
                                    .iter()
                                    .map(|a| ability(&a.value))
                                    .collect(),
                                is_phantom: p.is_phantom,
                            })
                            .collect(),
                    },
                    fields: None,
                },
            );
        }
        let mut diags = vec![];
        for f in &self.friends {
            let resolved = match &f.friend.value {
                NameAccessChain_::Two(lead, n) => {
                    address_of(named, lead).map(|(a, _)| (a, n.value.to_string()))
                }
                NameAccessChain_::One(n) => Ok((id.address, n.value.to_string())),
                NameAccessChain_::Three(..) => Err(error(
                    "E01002",
                    "unexpected token",
                    f.loc,
                    "Invalid 'friend' declaration",
                )),
            };
            match resolved {
                Ok(k) => local.friends.push(k),
                Err(d) => diags.push(d),
            }
        }
        if diags.is_empty() {
            Ok(local)
        } else {
            Err(diags)
        }
    }

    /// The module's scope: `Self`, its own members, its `use` lines.
    fn aliases(
        &self,
        named: &BTreeMap<String, AccountAddress>,
        env: &Dependencies,
    ) -> Result<Aliases, Diags> {
        let members = self
            .structs
            .iter()
            .map(|s| s.name.clone())
            .chain(self.functions.iter().map(|f| f.name.clone()));
        expansion::module_aliases(&self.unit.id, members, &self.uses, named, env)
    }

    /// Field types and function signatures (inline functions have none in bytecode).
    fn signatures(
        &self,
        named: &BTreeMap<String, AccountAddress>,
        env: &Dependencies,
        aliases: &Aliases,
        local: &mut LocalModule,
    ) -> Result<(), Diags> {
        let id = &self.unit.id;
        let mut diags = vec![];
        for s in &self.structs {
            let params: Vec<(String, move_bytecode::AbilitySet)> = s
                .type_parameters
                .iter()
                .map(|p| {
                    (
                        p.name.value.to_string(),
                        p.constraints.iter().map(|a| ability(&a.value)).collect(),
                    )
                })
                .collect();
            let fields = match &s.fields {
                StructFields::Native(_) => None,
                StructFields::Defined(fs) => {
                    let tys: Vec<_> = fs.iter().map(|(_, t)| t).collect();
                    match typing::resolve_types(env, named, aliases, id, &params, &tys) {
                        Ok(tys) => Some(
                            fs.iter()
                                .map(|(n, _)| n.value.to_string())
                                .zip(tys)
                                .collect(),
                        ),
                        Err(d) => {
                            diags.extend(d);
                            None
                        }
                    }
                }
            };
            if let Some(ls) = local.structs.get_mut(s.name.value.as_str()) {
                ls.fields = fields;
            }
        }
        for f in &self.functions {
            if f.inline {
                continue;
            }
            let params = typing::type_parameter_abilities(&f.signature.type_parameters);
            let mut tys: Vec<_> = f.signature.parameters.iter().map(|(_, t)| t).collect();
            tys.push(&f.signature.return_type);
            let resolved = match typing::resolve_types(env, named, aliases, id, &params, &tys) {
                Ok(t) => t,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            let (ret, ps) = resolved
                .split_last()
                .map(|(r, p)| (r.clone(), p.to_vec()))
                .unwrap_or((Type::Unit, vec![]));
            local.functions.insert(
                f.name.value.to_string(),
                FunctionInfo {
                    visibility: visibility(&f.visibility),
                    is_entry: f.entry.is_some(),
                    type_parameters: params.iter().map(|(_, a)| *a).collect(),
                    parameters: ps,
                    returns: ret.items(),
                    acquires: f.acquires.iter().map(last_name).collect(),
                },
            );
        }
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    /// Constants and function bodies, then the module's tables.
    fn compile(
        &self,
        ctx: &BodyContext,
        aliases: &Aliases,
        rename_counter: &mut usize,
    ) -> Result<CompiledModuleOutput, Diags> {
        let id = &self.unit.id;
        let env = ctx.env;
        let key = self.key();
        let local = env
            .local_module(&key.0, &key.1)
            .cloned()
            .unwrap_or_default();
        let consts = typing::translate_constants(env, ctx.named, aliases, id, &self.constants)?;
        let mut diags = vec![];
        let mut ir_functions = vec![];
        let mut function_sources = vec![];
        let mut acquire_lists = vec![];
        let mut warnings = vec![];
        for f in &self.functions {
            if f.inline {
                continue;
            }
            let Some(info) = local.functions.get(f.name.value.as_str()) else {
                continue;
            };
            // Upstream keeps acquires in a map keyed by struct name.
            let acquires: BTreeSet<String> = f.acquires.iter().map(last_name).collect();
            let decl = IrFunctionDecl {
                name: f.name.value.to_string(),
                visibility: info.visibility,
                is_entry: info.is_entry,
                acquires: acquires.into_iter().collect(),
                parameters: info.parameters.clone(),
                returns: info.returns.clone(),
            };
            let mut acquire_uses = None;
            let body = match &f.body.value {
                FunctionBody_::Native => None,
                FunctionBody_::Defined(_) => {
                    let unit_script = expansion::Script {
                        function_name: f.name.clone(),
                        function: f,
                        constants: &self.constants,
                        aliases: aliases.clone(),
                        named_addresses: ctx.named,
                        current_module: Some(id.clone()),
                        local_views: BTreeMap::new(),
                    };
                    let site = f.name.loc;
                    match function_body(unit_script, ctx, rename_counter) {
                        Ok((ir, w, uses)) => {
                            warnings.extend(w.into_iter().map(|d| inlining::relocate(d, site)));
                            acquire_uses = Some(uses);
                            Some(ir)
                        }
                        Err(d) => {
                            diags.extend(d.into_iter().map(|d| inlining::relocate(d, site)));
                            continue;
                        }
                    }
                }
            };
            acquire_lists.push(acquires::FunctionAcquires {
                name: f.name.value.to_string(),
                listed: f.acquires.iter().map(|c| (last_name(c), c.loc)).collect(),
                uses: acquire_uses,
            });
            function_sources.push(FunctionSource {
                name: f.name.loc,
                type_parameters: f
                    .signature
                    .type_parameters
                    .iter()
                    .map(|(n, _)| n.clone())
                    .collect(),
                parameters: f
                    .signature
                    .parameters
                    .iter()
                    .map(|(n, _)| (n.value.to_string(), n.loc))
                    .collect(),
                locals: body
                    .as_ref()
                    .map(|b| {
                        b.locals
                            .iter()
                            .map(|(v, _)| {
                                (
                                    v.clone(),
                                    b.local_locs.get(v).copied().unwrap_or(f.name.loc),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                code: body.as_ref().map(|_| vec![]),
                spec_nops: BTreeMap::new(),
            });
            ir_functions.push((decl, body));
        }
        if diags.is_empty() {
            let module = format!("{}::{}", id.address.to_hex_literal(), id.name);
            diags.extend(acquires::check(&module, &acquire_lists));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut friends: Vec<ModuleId> = local
            .friends
            .iter()
            .map(|(a, n)| ModuleId {
                address: *a,
                address_name: None,
                name: n.clone(),
            })
            .collect();
        friends.sort_by(|a, b| (a.address, &a.name).cmp(&(b.address, &b.name)));
        let ir = IrModule {
            id: id.clone(),
            friends,
            structs: self
                .structs
                .iter()
                .map(|s| IrStruct {
                    name: s.name.value.to_string(),
                    fields: local
                        .structs
                        .get(s.name.value.as_str())
                        .and_then(|l| l.fields.clone()),
                })
                .collect(),
            constants: consts,
            functions: ir_functions,
        };
        let struct_sources = self
            .structs
            .iter()
            .map(|s| StructSource {
                name: s.name.loc,
                type_parameters: s.type_parameters.iter().map(|p| p.name.clone()).collect(),
                fields: match &s.fields {
                    StructFields::Defined(fs) => fs.iter().map(|(n, _)| n.loc).collect(),
                    StructFields::Native(_) => vec![],
                },
            })
            .collect();
        let tables = to_bytecode::translate_module(ir, env)?;
        for (f, locs) in function_sources.iter_mut().zip(tables.code_locations) {
            if let Some(code) = &mut f.code {
                *code = locs.code;
                f.spec_nops = locs.spec_nops;
            }
        }
        let source_map = source_map::build(
            ctx.files,
            ModuleSource {
                address: id.address,
                name: &self.unit.def.name,
                structs: struct_sources,
                functions: function_sources,
                constants: tables.constant_indexes,
            },
        );
        let module = tables.module;
        let bytes = module
            .serialize_for_version(BYTECODE_VERSION)
            .map_err(|e| {
                vec![error(
                    "E99001",
                    "bytecode generation",
                    self.unit.def.name.loc,
                    e.to_string(),
                )]
            })?;
        Ok(CompiledModuleOutput {
            address: id.address,
            name: id.name.clone(),
            module,
            bytes,
            source_index: self.unit.source_index,
            source_map,
            warnings,
        })
    }
}

/// One function body through inlining, typing, HLIR, CFGIR and lowering; also what in it may
/// acquire resources.
fn function_body(
    s: expansion::Script,
    ctx: &BodyContext,
    rename_counter: &mut usize,
) -> Result<(to_bytecode::IrScript, Diags, Vec<acquires::AcquireUse>), Diags> {
    let env = ctx.env;
    let (inlined, local_views) = inlining::inline_function(
        s.function,
        &s.aliases,
        s.named_addresses,
        env,
        ctx.library,
        ctx.inline_sources,
        rename_counter,
    )?;
    let s = expansion::Script {
        function: &inlined,
        local_views,
        ..s
    };
    let mut typed = typing::translate(&s, env)?;
    let uses = std::mem::take(&mut typed.acquire_uses);
    let (h, mut warnings) = hlir::translate(typed);
    let (cfg, more) = cfgir::translate(h, env)?;
    warnings.extend(more);
    Ok((to_bytecode::lower_function(cfg), warnings, uses))
}

fn ability(a: &crate::parser::ast::Ability_) -> move_bytecode::Ability {
    use crate::parser::ast::Ability_ as A;
    match a {
        A::Copy => move_bytecode::Ability::Copy,
        A::Drop => move_bytecode::Ability::Drop,
        A::Store => move_bytecode::Ability::Store,
        A::Key => move_bytecode::Ability::Key,
    }
}
