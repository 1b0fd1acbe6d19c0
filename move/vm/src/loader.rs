//! Loaded code: the VM-wide tables of modules, structs and functions that execution works from,
//! and the type services built on them (layouts, type-tag text, value-depth formula). Turning
//! bytes into these tables is `publish.rs`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::bcs::{Layout, StructLayout};
use crate::instr::Instr;
use crate::natives::NativeFunction;
use crate::status::{StatusCode, VmError, VmResult};
use crate::types::{StructId, Type, MAX_TYPE_NESTING};
use crate::values::Value;

/// Index of a function in the loader's global function table.
pub type FunctionId = usize;

/// Nesting limit of packed values (upstream `DEFAULT_MAX_VALUE_NEST_DEPTH`).
pub const MAX_VALUE_DEPTH: usize = 128;
/// Largest number of type nodes an instantiated struct type may have.
pub const MAX_TYPE_INSTANTIATION_NODES: usize = 128;

/// A module's address and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleKey {
    pub address: [u8; 32],
    pub name: String,
}

impl ModuleKey {
    /// `0x42::name` with the short address form.
    pub fn label(&self) -> String {
        format!("{}::{}", short_address(&self.address), self.name)
    }
}

/// `0x` followed by the address without leading zeros (`0x0` for zero).
pub fn short_address(address: &[u8; 32]) -> String {
    let full = hex::encode(address);
    let trimmed = full.trim_start_matches('0');
    if trimmed.is_empty() {
        "0x0".to_string()
    } else {
        format!("0x{trimmed}")
    }
}

/// A loaded module: its identity and the tables its instructions index.
#[derive(Debug)]
pub struct LoadedModule {
    pub key: ModuleKey,
    /// `key.label()`, kept for error locations.
    pub label: String,
    pub constants: Vec<Value>,
    /// Struct instantiations: struct and type arguments (may mention the frame's type parameters).
    pub struct_insts: Vec<(StructId, Vec<Type>)>,
    /// Function instantiations: function and type arguments.
    pub func_insts: Vec<(FunctionId, Vec<Type>)>,
    /// Element types of vector instructions, by signature index.
    pub vec_types: Vec<Option<Type>>,
    /// Struct definitions in definition order.
    pub structs: Vec<StructId>,
    /// Function definitions in definition order.
    pub functions: Vec<FunctionId>,
    /// A script's `main` wrapped as a module: errors in it are located at `Script`.
    pub is_script: bool,
}

/// A loaded struct definition.
#[derive(Debug)]
pub struct LoadedStruct {
    pub module: ModuleKey,
    pub name: String,
    pub type_param_count: usize,
    pub field_names: Vec<String>,
    /// Field types; type parameters refer to the struct's own parameters.
    pub fields: Vec<Type>,
    pub abilities: u8,
}

/// A loaded function definition.
pub struct LoadedFunction {
    pub module: usize,
    pub module_label: String,
    pub def_index: u16,
    pub name: String,
    pub type_param_count: usize,
    pub params: Vec<Type>,
    pub returns: Vec<Type>,
    /// Parameters and declared locals.
    pub local_count: usize,
    pub code: Vec<Instr>,
    pub is_native: bool,
    pub is_entry: bool,
    pub native: Option<NativeFunction>,
}

impl std::fmt::Debug for LoadedFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}::{}", self.module_label, self.name)
    }
}

/// Every module, struct and function loaded into one VM. Cloning is cheap (shared tables), so a
/// loader with a common base of modules can be forked.
#[derive(Default, Clone)]
pub struct Loader {
    pub(crate) modules: Vec<Rc<LoadedModule>>,
    pub(crate) module_index: HashMap<ModuleKey, usize>,
    pub(crate) structs: Vec<Rc<LoadedStruct>>,
    pub(crate) functions: Vec<Rc<LoadedFunction>>,
    depth_cache: RefCell<HashMap<Type, usize>>,
}

impl Loader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn module(&self, index: usize) -> VmResult<&Rc<LoadedModule>> {
        self.modules.get(index).ok_or_else(|| missing("module"))
    }

    pub fn module_by_key(&self, key: &ModuleKey) -> Option<&Rc<LoadedModule>> {
        self.module_index
            .get(key)
            .and_then(|i| self.modules.get(*i))
    }

    pub fn struct_def(&self, id: StructId) -> VmResult<&Rc<LoadedStruct>> {
        self.structs.get(id).ok_or_else(|| missing("struct"))
    }

    pub fn function(&self, id: FunctionId) -> VmResult<&Rc<LoadedFunction>> {
        self.functions.get(id).ok_or_else(|| missing("function"))
    }

    /// Number of loaded modules.
    pub fn module_count(&self) -> usize {
        self.modules.len()
    }

    /// Finds a function by module and name.
    pub fn find_function(&self, key: &ModuleKey, name: &str) -> Option<FunctionId> {
        let module = self.module_by_key(key)?;
        module
            .functions
            .iter()
            .copied()
            .find(|f| self.functions.get(*f).is_some_and(|f| f.name == name))
    }

    /// Finds a struct by module and name.
    pub fn find_struct(&self, key: &ModuleKey, name: &str) -> Option<StructId> {
        let module = self.module_by_key(key)?;
        module
            .structs
            .iter()
            .copied()
            .find(|s| self.structs.get(*s).is_some_and(|s| s.name == name))
    }

    /// Field types of an instantiated struct.
    pub fn struct_field_types(&self, id: StructId, args: &[Type]) -> VmResult<Vec<Type>> {
        let def = self.struct_def(id)?;
        if args.len() != def.type_param_count {
            return Err(VmError::new(StatusCode::TYPE_MISMATCH));
        }
        def.fields.iter().map(|f| f.subst(args)).collect()
    }

    /// The layout of a fully instantiated type (references and type parameters have none).
    pub fn layout(&self, ty: &Type) -> VmResult<Layout> {
        self.layout_depth(ty, 0)
    }

    fn layout_depth(&self, ty: &Type, depth: usize) -> VmResult<Layout> {
        if depth > MAX_TYPE_NESTING {
            return Err(VmError::new(StatusCode::VM_MAX_VALUE_DEPTH_REACHED));
        }
        Ok(match ty {
            Type::Bool => Layout::Bool,
            Type::U8 => Layout::U8,
            Type::U16 => Layout::U16,
            Type::U32 => Layout::U32,
            Type::U64 => Layout::U64,
            Type::U128 => Layout::U128,
            Type::U256 => Layout::U256,
            Type::Address => Layout::Address,
            Type::Signer => Layout::Signer,
            Type::Vector(t) => Layout::Vector(Box::new(self.layout_depth(t, depth + 1)?)),
            Type::Struct(id, args) => {
                let def = self.struct_def(*id)?;
                let fields = self
                    .struct_field_types(*id, args)?
                    .iter()
                    .map(|f| self.layout_depth(f, depth + 1))
                    .collect::<VmResult<Vec<_>>>()?;
                Layout::Struct(Rc::new(StructLayout {
                    address: def.module.address,
                    module: def.module.name.clone(),
                    name: def.name.clone(),
                    type_args: args
                        .iter()
                        .map(|a| self.type_tag(a))
                        .collect::<VmResult<_>>()?,
                    field_names: def.field_names.clone(),
                    fields,
                }))
            }
            Type::Reference(_) | Type::MutableReference(_) | Type::TyParam(_) => {
                return Err(VmError::new(
                    StatusCode::INVALID_PARAM_TYPE_FOR_DESERIALIZATION,
                ))
            }
        })
    }

    /// Type-tag text: `u8`, `vector<u64>`, `0x1::string::String`, `0x42::m::S<u8, bool>`.
    pub fn type_tag(&self, ty: &Type) -> VmResult<String> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::U128 => "u128".into(),
            Type::U256 => "u256".into(),
            Type::Address => "address".into(),
            Type::Signer => "signer".into(),
            Type::Vector(t) => format!("vector<{}>", self.type_tag(t)?),
            Type::Struct(id, args) => {
                let def = self.struct_def(*id)?;
                format!(
                    "{}::{}",
                    def.module.label(),
                    self.struct_name_with_args(&def.name, args)?
                )
            }
            Type::Reference(t) => format!("&{}", self.type_tag(t)?),
            Type::MutableReference(t) => format!("&mut {}", self.type_tag(t)?),
            Type::TyParam(i) => format!("T{i}"),
        })
    }

    /// `Name` or `Name<A, B>` with the arguments as type tags.
    pub fn struct_name_with_args(&self, name: &str, args: &[Type]) -> VmResult<String> {
        if args.is_empty() {
            return Ok(name.to_string());
        }
        let args = args
            .iter()
            .map(|a| self.type_tag(a))
            .collect::<VmResult<Vec<_>>>()?;
        Ok(format!("{name}<{}>", args.join(", ")))
    }

    /// Value depth of a type: primitives 1, each struct or vector level one more.
    pub fn value_depth(&self, ty: &Type) -> VmResult<usize> {
        if let Some(d) = self.depth_cache.borrow().get(ty) {
            return Ok(*d);
        }
        let d = self.value_depth_uncached(ty, 0)?;
        self.depth_cache.borrow_mut().insert(ty.clone(), d);
        Ok(d)
    }

    fn value_depth_uncached(&self, ty: &Type, nesting: usize) -> VmResult<usize> {
        if nesting > MAX_TYPE_NESTING {
            return Err(VmError::new(StatusCode::VM_MAX_VALUE_DEPTH_REACHED));
        }
        Ok(match ty {
            Type::Vector(t) => 1 + self.value_depth_uncached(t, nesting + 1)?,
            Type::Struct(id, args) => {
                let mut max = 0;
                for f in self.struct_field_types(*id, args)? {
                    max = max.max(self.value_depth_uncached(&f, nesting + 1)?);
                }
                1 + max
            }
            Type::Reference(t) | Type::MutableReference(t) => {
                self.value_depth_uncached(t, nesting + 1)?
            }
            _ => 1,
        })
    }

    /// Fails with `VM_MAX_VALUE_DEPTH_REACHED` when values of `ty` nest too deeply.
    pub fn check_value_depth(&self, ty: &Type) -> VmResult<()> {
        if self.value_depth(ty)? > MAX_VALUE_DEPTH {
            return Err(VmError::new(StatusCode::VM_MAX_VALUE_DEPTH_REACHED));
        }
        Ok(())
    }
}

fn missing(what: &str) -> VmError {
    VmError::new(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR)
        .with_message(format!("unknown {what}"))
}
