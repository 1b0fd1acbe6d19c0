//! Sessions: calls that share one resource cache and one set of native extensions, with argument
//! binding from BCS, return-value serialisation and the change set at the end.

use crate::bcs::{deserialize, serialize};
use crate::gas::GasMeter;
use crate::interpreter::Interpreter;
use crate::loader::{Loader, ModuleKey};
use crate::natives::{Event, Extensions};
use crate::status::{StatusCode, VmError, VmResult};
use crate::storage::{DataCache, ResourceChange, ResourceStore};
use crate::types::Type;
use crate::values::{new_container, Reference, Value};

/// What a session leaves behind.
#[derive(Clone, Debug, Default)]
pub struct ChangeSet {
    pub resources: Vec<ResourceChange>,
    pub events: Vec<Event>,
}

/// Result of one successful call.
#[derive(Clone, Debug, Default)]
pub struct CallOutput {
    /// BCS of each return value.
    pub return_values: Vec<Vec<u8>>,
    /// BCS of the values behind `&mut` arguments, in parameter order.
    pub mutable_references: Vec<Vec<u8>>,
    /// Instructions executed.
    pub instructions: u64,
}

/// One session over a loader and a resource store.
pub struct Session<'a> {
    loader: &'a Loader,
    store: &'a dyn ResourceStore,
    data: DataCache,
    ext: Extensions,
}

impl<'a> Session<'a> {
    pub fn new(loader: &'a Loader, store: &'a dyn ResourceStore) -> Self {
        Self::with_extensions(loader, store, Extensions::for_unit_tests())
    }

    pub fn with_extensions(
        loader: &'a Loader,
        store: &'a dyn ResourceStore,
        ext: Extensions,
    ) -> Self {
        Session {
            loader,
            store,
            data: DataCache::default(),
            ext,
        }
    }

    /// Calls `module::name` with BCS arguments. `bypass_entry_check` lets non-entry functions run
    /// (as the unit-test runner does).
    pub fn execute_function(
        &mut self,
        module: &ModuleKey,
        name: &str,
        ty_args: Vec<Type>,
        args: &[Vec<u8>],
        gas: &mut GasMeter,
        bypass_entry_check: bool,
    ) -> VmResult<CallOutput> {
        let fid = self.loader.find_function(module, name).ok_or_else(|| {
            VmError::new(StatusCode::FUNCTION_RESOLUTION_FAILURE)
                .with_message(format!("{}::{name}", module.label()))
        })?;
        let function = self.loader.function(fid)?.clone();
        if !bypass_entry_check && !function.is_entry {
            return Err(VmError::new(
                StatusCode::EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION,
            ));
        }
        let loader = self.loader;
        self.call(loader, function, ty_args, args, gas)
    }

    /// Runs a script's `main` with BCS arguments. The script is loaded into a fork of the loader
    /// (scripts are not published); its errors are located at `Script`.
    pub fn execute_script(
        &mut self,
        script: &[u8],
        ty_args: Vec<Type>,
        args: &[Vec<u8>],
        gas: &mut GasMeter,
    ) -> VmResult<CallOutput> {
        let mut forked = self.loader.clone();
        let fid = crate::publish::load_script(&mut forked, script)?;
        let function = forked.function(fid)?.clone();
        self.call(&forked, function, ty_args, args, gas)
    }

    /// Binds the arguments, runs the function and serialises what it returns.
    fn call(
        &mut self,
        loader: &Loader,
        function: std::rc::Rc<crate::loader::LoadedFunction>,
        ty_args: Vec<Type>,
        args: &[Vec<u8>],
        gas: &mut GasMeter,
    ) -> VmResult<CallOutput> {
        if ty_args.len() != function.type_param_count {
            return Err(VmError::new(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH));
        }
        if args.len() != function.params.len() {
            return Err(VmError::new(StatusCode::NUMBER_OF_ARGUMENTS_MISMATCH));
        }
        let mut values = Vec::with_capacity(args.len());
        let mut mut_refs = Vec::new();
        for (bytes, param) in args.iter().zip(function.params.iter()) {
            let param = param.subst(&ty_args)?;
            let v = match &param {
                Type::Reference(inner) | Type::MutableReference(inner) => {
                    let value = bind_arg(loader, bytes, inner)?;
                    let hidden = new_container(vec![value]);
                    if matches!(param, Type::MutableReference(_)) {
                        mut_refs.push((hidden.clone(), (**inner).clone()));
                    }
                    Value::Ref(Reference::new(hidden, 0))
                }
                other => bind_arg(loader, bytes, other)?,
            };
            values.push(v);
        }
        let returns = function
            .returns
            .iter()
            .map(|t| t.subst(&ty_args))
            .collect::<VmResult<Vec<_>>>()?;
        let mut interp = Interpreter::new(loader, &mut self.data, self.store, &mut self.ext, gas);
        let results = interp.run(function, ty_args, values)?;
        let instructions = interp.instructions;
        if results.len() != returns.len() {
            return Err(VmError::new(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR)
                .with_message("wrong number of return values"));
        }
        let mut out = CallOutput {
            instructions,
            ..CallOutput::default()
        };
        for (v, ty) in results.iter().zip(returns.iter()) {
            let ty = match ty {
                Type::Reference(t) | Type::MutableReference(t) => t,
                t => t,
            };
            let layout = loader
                .layout(ty)
                .map_err(|_| VmError::new(StatusCode::VALUE_SERIALIZATION_ERROR))?;
            out.return_values.push(serialize(v, &layout)?);
        }
        for (cell, ty) in mut_refs {
            let layout = loader.layout(&ty)?;
            let v = Reference::new(cell, 0).read_ref()?;
            out.mutable_references.push(serialize(&v, &layout)?);
        }
        Ok(out)
    }

    /// Ends the session: the resource changes and the events.
    pub fn finish(self) -> VmResult<ChangeSet> {
        Ok(ChangeSet {
            resources: self.data.changes(self.loader)?,
            events: self.ext.events,
        })
    }
}

/// Deserialises one argument with the layout of its parameter type.
fn bind_arg(loader: &Loader, bytes: &[u8], ty: &Type) -> VmResult<Value> {
    let layout = loader
        .layout(ty)
        .map_err(|_| VmError::new(StatusCode::INVALID_PARAM_TYPE_FOR_DESERIALIZATION))?;
    deserialize(bytes, &layout)
        .map_err(|_| VmError::new(StatusCode::FAILED_TO_DESERIALIZE_ARGUMENT))
}
