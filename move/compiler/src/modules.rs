//! The compiler's entry point for a package's modules: [`compile_modules`] parses every source
//! file, leaves out `#[test_only]` and `#[test]` items, orders the modules so that each comes
//! after the package modules it uses, and compiles them one by one. Each module is compiled
//! against the dependency bytecode plus the modules of the package compiled before it; its own
//! structs and function signatures are declared from source first, so its bodies can name them.
//! Functions pass through the same passes as a script's; `to_bytecode` then lays out the module.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use move_bytecode::{AccountAddress, CompiledModule, StructTypeParameter, Visibility};

use crate::deps::{Dependencies, FunctionInfo, LocalModule, LocalStruct, ModuleKey, StructInfo};
use crate::driver::{CompileDiagnostic, CompileError, CompileOptions, BYTECODE_VERSION};
use crate::expansion::{self, ModuleId};
use crate::inlining::{self, InlineLibrary};
use crate::parser::ast::{
    Attribute_, Attributes, Definition, FileId, FunctionBody_, LeadingNameAccess, Loc,
    ModuleDefinition, ModuleMember, NameAccessChain_, StructFields, Use, Visibility as PVisibility,
};
use crate::parser::{self, Severity};
use crate::to_bytecode::{self, IrFunctionDecl, IrModule, IrStruct};
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

/// Whether a member is left out of a non-test build.
fn test_only(attrs: &[Attributes]) -> bool {
    has_attribute(attrs, "test_only") || has_attribute(attrs, "test")
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

/// Compiles every module of `sources` (one package; `#[test_only]` items left out) against the
/// dependency modules `deps`. Modules come back in dependency order: a module after every
/// module of the package it uses, ties in source order. Diagnostics carry
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
                if m.is_spec_module || test_only(&m.attributes) {
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
    let order = dependency_order(&units, named)?;
    // Inline functions may come from the dependencies or from this package.
    let mut inline_sources = options.dependency_sources.clone();
    inline_sources.extend(sources.iter().map(|s| (s.name.clone(), s.text.clone())));
    let library = OnceCell::new();
    let mut compiled: Vec<CompiledModule> = vec![];
    let mut outputs = vec![];
    for idx in order {
        let unit = &units[idx];
        let out =
            compile_one(unit, deps, &compiled, named, &library, &inline_sources).map_err(fail)?;
        compiled.push(out.module.clone());
        outputs.push(out);
    }
    Ok(outputs)
}

/// The modules of the package in an order where every module follows the package modules its
/// module-level `use` lines name (ties in source order).
fn dependency_order(
    units: &[Unit],
    named: &BTreeMap<String, AccountAddress>,
) -> Result<Vec<usize>, CompileError> {
    let index: BTreeMap<ModuleKey, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| ((u.id.address, u.id.name.clone()), i))
        .collect();
    let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); units.len()];
    for (i, u) in units.iter().enumerate() {
        let mut used = BTreeSet::new();
        for m in &u.def.members {
            if test_only(member_attributes(m)) {
                continue;
            }
            if let ModuleMember::Use(decl) = m {
                let mi = match &decl.use_ {
                    Use::Module(mi, _) | Use::Members(mi, _) => mi,
                };
                if let Ok((a, _)) = address_of(named, &mi.value.address) {
                    used.insert((a, mi.value.module.value.to_string()));
                }
            }
        }
        for (key, j) in &index {
            if *j != i && used.contains(key) {
                edges[i].insert(*j);
            }
        }
    }
    let mut done = vec![false; units.len()];
    let mut order = vec![];
    let mut visiting = vec![false; units.len()];
    fn visit(
        i: usize,
        edges: &[BTreeSet<usize>],
        done: &mut [bool],
        visiting: &mut [bool],
        order: &mut Vec<usize>,
        units: &[Unit],
    ) -> Result<(), CompileError> {
        if done[i] {
            return Ok(());
        }
        if visiting[i] {
            return Err(fail(vec![error(
                "E02004",
                "invalid 'module' declaration",
                units[i].def.name.loc,
                format!("Cyclic module dependency involving '{}'", units[i].id.name),
            )]));
        }
        visiting[i] = true;
        for &j in &edges[i] {
            visit(j, edges, done, visiting, order, units)?;
        }
        visiting[i] = false;
        done[i] = true;
        order.push(i);
        Ok(())
    }
    for i in 0..units.len() {
        visit(i, &edges, &mut done, &mut visiting, &mut order, units)?;
    }
    Ok(order)
}

fn visibility(v: &PVisibility) -> Visibility {
    match v {
        PVisibility::Public(_) | PVisibility::Script(_) => Visibility::Public,
        PVisibility::Friend(_) => Visibility::Friend,
        PVisibility::Internal => Visibility::Private,
    }
}

fn compile_one(
    unit: &Unit,
    deps: &[CompiledModule],
    earlier: &[CompiledModule],
    named: &BTreeMap<String, AccountAddress>,
    library: &OnceCell<InlineLibrary>,
    inline_sources: &[(String, String)],
) -> Result<CompiledModuleOutput, Diags> {
    let id = &unit.id;
    let key: ModuleKey = (id.address, id.name.clone());
    let members: Vec<&ModuleMember> = unit
        .def
        .members
        .iter()
        .filter(|m| !test_only(member_attributes(m)))
        .collect();
    let mut structs = vec![];
    let mut functions = vec![];
    let mut constants = vec![];
    let mut uses = vec![];
    let mut friends = vec![];
    for m in &members {
        match m {
            ModuleMember::Struct(s) => structs.push(s),
            ModuleMember::Function(f) => functions.push(f),
            ModuleMember::Constant(c) => constants.push((*c).clone()),
            ModuleMember::Use(u) => uses.push((*u).clone()),
            ModuleMember::Friend(f) => friends.push(f),
            _ => {}
        }
    }
    structs.sort_by(|a, b| a.name.value.as_str().cmp(b.name.value.as_str()));
    functions.sort_by(|a, b| a.name.value.as_str().cmp(b.name.value.as_str()));
    let mut diags = vec![];

    // Struct headers first: abilities and type parameters, which types may name.
    let mut local = LocalModule::default();
    for s in &structs {
        local.structs.insert(
            s.name.value.to_string(),
            LocalStruct {
                info: StructInfo {
                    abilities: s.abilities.iter().map(|a| ability(&a.value)).collect(),
                    type_parameters: s
                        .type_parameters
                        .iter()
                        .map(|p| StructTypeParameter {
                            constraints: p.constraints.iter().map(|a| ability(&a.value)).collect(),
                            is_phantom: p.is_phantom,
                        })
                        .collect(),
                },
                fields: None,
            },
        );
    }
    for f in &friends {
        let resolved = match &f.friend.value {
            NameAccessChain_::Two(lead, n) => address_of(named, lead).map(|(a, an)| ModuleId {
                address: a,
                address_name: an,
                name: n.value.to_string(),
            }),
            NameAccessChain_::One(n) => Ok(ModuleId {
                address: id.address,
                address_name: id.address_name.clone(),
                name: n.value.to_string(),
            }),
            NameAccessChain_::Three(..) => Err(error(
                "E01002",
                "unexpected token",
                f.loc,
                "Invalid 'friend' declaration",
            )),
        };
        match resolved {
            Ok(m) => local.friends.push((m.address, m.name)),
            Err(d) => diags.push(d),
        }
    }
    let member_names = structs
        .iter()
        .map(|s| s.name.clone())
        .chain(functions.iter().map(|f| f.name.clone()));
    let headers =
        Dependencies::new(deps.iter().chain(earlier)).with_local(key.clone(), local.clone());
    let aliases = match expansion::module_aliases(id, member_names, &uses, named, &headers) {
        Ok(a) => a,
        Err(d) => return Err(d),
    };

    // Then the field types and function signatures.
    for s in &structs {
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
                match typing::resolve_types(&headers, named, &aliases, id, &params, &tys) {
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
    let mut decls = vec![];
    for f in &functions {
        // Inline functions exist only in source; their calls are expanded before typing.
        if f.inline {
            continue;
        }
        let params = typing::type_parameter_abilities(&f.signature.type_parameters);
        let mut tys: Vec<_> = f.signature.parameters.iter().map(|(_, t)| t).collect();
        tys.push(&f.signature.return_type);
        let resolved = match typing::resolve_types(&headers, named, &aliases, id, &params, &tys) {
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
        let info = FunctionInfo {
            visibility: visibility(&f.visibility),
            is_entry: f.entry.is_some(),
            type_parameters: params.iter().map(|(_, a)| *a).collect(),
            parameters: ps,
            returns: ret.items(),
        };
        local
            .functions
            .insert(f.name.value.to_string(), info.clone());
        decls.push((*f, info));
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let env = Dependencies::new(deps.iter().chain(earlier)).with_local(key.clone(), local.clone());
    let consts = typing::translate_constants(&env, named, &aliases, id, &constants)?;

    let mut ir_functions = vec![];
    let mut warnings = vec![];
    for (f, info) in decls {
        let acquires = f
            .acquires
            .iter()
            .filter_map(|c| match &c.value {
                NameAccessChain_::One(n) | NameAccessChain_::Two(_, n) => Some(n.value.to_string()),
                NameAccessChain_::Three(_, n) => Some(n.value.to_string()),
            })
            .collect();
        let decl = IrFunctionDecl {
            name: f.name.value.to_string(),
            visibility: info.visibility,
            is_entry: info.is_entry,
            acquires,
            parameters: info.parameters.clone(),
            returns: info.returns.clone(),
        };
        let body = match &f.body.value {
            FunctionBody_::Native => None,
            FunctionBody_::Defined(_) => {
                let unit_script = expansion::Script {
                    function_name: f.name.clone(),
                    function: f,
                    constants: &constants,
                    aliases: aliases.clone(),
                    named_addresses: named,
                    current_module: Some(id.clone()),
                };
                match function_body(unit_script, &env, library, inline_sources) {
                    Ok((ir, w)) => {
                        warnings.extend(w);
                        Some(ir)
                    }
                    Err(d) => {
                        diags.extend(d);
                        continue;
                    }
                }
            }
        };
        ir_functions.push((decl, body));
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let friends_ids = {
        let mut fs: Vec<ModuleId> = local
            .friends
            .iter()
            .map(|(a, n)| ModuleId {
                address: *a,
                address_name: None,
                name: n.clone(),
            })
            .collect();
        fs.sort_by(|a, b| (a.address, &a.name).cmp(&(b.address, &b.name)));
        fs
    };
    let ir = IrModule {
        id: id.clone(),
        friends: friends_ids,
        structs: structs
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
    let module = to_bytecode::translate_module(ir, &env)?;
    let bytes = module
        .serialize_for_version(BYTECODE_VERSION)
        .map_err(|e| {
            vec![error(
                "E99001",
                "bytecode generation",
                unit.def.name.loc,
                e.to_string(),
            )]
        })?;
    Ok(CompiledModuleOutput {
        address: id.address,
        name: id.name.clone(),
        module,
        bytes,
        source_index: unit.source_index,
        warnings,
    })
}

/// One function body through inlining, typing, HLIR, CFGIR and lowering.
fn function_body(
    s: expansion::Script,
    env: &Dependencies,
    library: &OnceCell<InlineLibrary>,
    inline_sources: &[(String, String)],
) -> Result<(to_bytecode::IrScript, Diags), Diags> {
    let inlined = inlining::inline_function(
        s.function,
        &s.aliases,
        s.named_addresses,
        env,
        library,
        inline_sources,
    )?;
    let s = expansion::Script {
        function: &inlined,
        ..s
    };
    let typed = typing::translate(&s, env)?;
    let (h, mut warnings) = hlir::translate(typed);
    let (cfg, more) = cfgir::translate(h, env)?;
    warnings.extend(more);
    Ok((to_bytecode::lower_function(cfg), warnings))
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
