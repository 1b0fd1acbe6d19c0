//! The interpreter: one operand stack shared by all frames, a call stack of suspended frames, and
//! the instruction loop with upstream's semantics, failure statuses and limits. Errors are located
//! at the frame and code offset where they happened.

use std::rc::Rc;

use ethnum::U256;

use crate::gas::GasMeter;
use crate::instr::Instr;
use crate::loader::{
    FunctionId, LoadedFunction, LoadedModule, Loader, MAX_TYPE_INSTANTIATION_NODES,
};
use crate::natives::{Extensions, NativeContext, NativeResult};
use crate::status::{vector_sub_status, ErrorOffset, Location, StatusCode, VmError, VmResult};
use crate::storage::{DataCache, ResourceStore};
use crate::types::{StructId, Type};
use crate::values::{
    invariant, new_container, read, take_elems, type_error, write, Container, Reference, Value,
};

/// Largest number of values on the operand stack.
pub const OPERAND_STACK_SIZE_LIMIT: usize = 1024;
/// Largest number of suspended frames.
pub const CALL_STACK_SIZE_LIMIT: usize = 1024;

struct Frame {
    function: Rc<LoadedFunction>,
    module: Rc<LoadedModule>,
    ty_args: Rc<Vec<Type>>,
    pc: usize,
    locals: Container,
}

enum Exit {
    Return,
    Call(FunctionId, Rc<Vec<Type>>),
}

/// Everything one execution works on.
pub(crate) struct Interpreter<'a> {
    pub loader: &'a Loader,
    pub data: &'a mut DataCache,
    pub store: &'a dyn ResourceStore,
    pub ext: &'a mut Extensions,
    pub gas: &'a mut GasMeter,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// Instructions executed (for benchmarks and reports).
    pub instructions: u64,
    /// Shared empty type-argument list, so non-generic calls allocate nothing for it.
    no_ty_args: Rc<Vec<Type>>,
}

fn arith() -> VmError {
    VmError::new(StatusCode::ARITHMETIC_ERROR)
}

fn vec_err(sub: u64) -> VmError {
    VmError::new(StatusCode::VECTOR_OPERATION_ERROR).with_sub_status(sub)
}

macro_rules! checked_binop {
    ($a:expr, $b:expr, $op:ident) => {
        match ($a, $b) {
            (Value::U8(a), Value::U8(b)) => Value::U8(a.$op(b).ok_or_else(arith)?),
            (Value::U16(a), Value::U16(b)) => Value::U16(a.$op(b).ok_or_else(arith)?),
            (Value::U32(a), Value::U32(b)) => Value::U32(a.$op(b).ok_or_else(arith)?),
            (Value::U64(a), Value::U64(b)) => Value::U64(a.$op(b).ok_or_else(arith)?),
            (Value::U128(a), Value::U128(b)) => Value::U128(a.$op(b).ok_or_else(arith)?),
            (Value::U256(a), Value::U256(b)) => Value::U256(a.$op(b).ok_or_else(arith)?),
            _ => return Err(type_error("arithmetic on mismatched operands")),
        }
    };
}

macro_rules! bit_binop {
    ($a:expr, $b:expr, $op:tt) => {
        match ($a, $b) {
            (Value::U8(a), Value::U8(b)) => Value::U8(a $op b),
            (Value::U16(a), Value::U16(b)) => Value::U16(a $op b),
            (Value::U32(a), Value::U32(b)) => Value::U32(a $op b),
            (Value::U64(a), Value::U64(b)) => Value::U64(a $op b),
            (Value::U128(a), Value::U128(b)) => Value::U128(a $op b),
            (Value::U256(a), Value::U256(b)) => Value::U256(a $op b),
            _ => return Err(type_error("bitwise operation on mismatched operands")),
        }
    };
}

macro_rules! compare {
    ($a:expr, $b:expr, $op:tt) => {
        match ($a, $b) {
            (Value::U8(a), Value::U8(b)) => a $op b,
            (Value::U16(a), Value::U16(b)) => a $op b,
            (Value::U32(a), Value::U32(b)) => a $op b,
            (Value::U64(a), Value::U64(b)) => a $op b,
            (Value::U128(a), Value::U128(b)) => a $op b,
            (Value::U256(a), Value::U256(b)) => a $op b,
            _ => return Err(type_error("comparison of mismatched operands")),
        }
    };
}

/// The type-size limit on instantiations: one node for the instantiated item, plus every node of
/// the frame's type arguments, plus every node of the instantiation's own type arguments, must not
/// exceed `MAX_TYPE_INSTANTIATION_NODES` (`TOO_MANY_TYPE_NODES` otherwise).
fn check_instantiation_size(frame_ty_args: &[Type], inst_args: &[Type]) -> VmResult<()> {
    let mut nodes = 1usize;
    for ty in frame_ty_args.iter().chain(inst_args.iter()) {
        nodes = nodes.saturating_add(ty.node_count());
        if nodes > MAX_TYPE_INSTANTIATION_NODES {
            return Err(VmError::new(StatusCode::TOO_MANY_TYPE_NODES));
        }
    }
    Ok(())
}

/// Substitutes the frame's type arguments, applying the size limit when the type is a generic
/// struct instantiation.
fn subst_checked(ty: &Type, frame_ty_args: &[Type]) -> VmResult<Type> {
    if let Type::Struct(_, args) = ty {
        if !args.is_empty() {
            check_instantiation_size(frame_ty_args, args)?;
        }
    }
    ty.subst(frame_ty_args)
}

fn to_u256(v: Value) -> VmResult<U256> {
    Ok(match v {
        Value::U8(x) => U256::from(x),
        Value::U16(x) => U256::from(x),
        Value::U32(x) => U256::from(x),
        Value::U64(x) => U256::from(x),
        Value::U128(x) => U256::from(x),
        Value::U256(x) => x,
        _ => return Err(type_error("cast of a non-integer")),
    })
}

fn cast(v: Value, bits: u32) -> VmResult<Value> {
    let x = to_u256(v)?;
    if bits < 256 && x >> bits != U256::ZERO {
        return Err(arith());
    }
    let low = x.as_u128();
    Ok(match bits {
        8 => Value::U8(low as u8),
        16 => Value::U16(low as u16),
        32 => Value::U32(low as u32),
        64 => Value::U64(low as u64),
        128 => Value::U128(low),
        _ => Value::U256(x),
    })
}

fn shift(x: Value, n: Value, left: bool) -> VmResult<Value> {
    let n = match n {
        Value::U8(n) => n as u32,
        _ => return Err(type_error("shift amount must be u8")),
    };
    macro_rules! sh {
        ($v:expr, $bits:expr, $ctor:path) => {{
            if n >= $bits {
                return Err(arith());
            }
            $ctor(if left { $v << n } else { $v >> n })
        }};
    }
    Ok(match x {
        Value::U8(v) => sh!(v, 8, Value::U8),
        Value::U16(v) => sh!(v, 16, Value::U16),
        Value::U32(v) => sh!(v, 32, Value::U32),
        Value::U64(v) => sh!(v, 64, Value::U64),
        Value::U128(v) => sh!(v, 128, Value::U128),
        Value::U256(v) => sh!(v, 256, Value::U256),
        _ => return Err(type_error("shift of a non-integer")),
    })
}

impl<'a> Interpreter<'a> {
    pub fn new(
        loader: &'a Loader,
        data: &'a mut DataCache,
        store: &'a dyn ResourceStore,
        ext: &'a mut Extensions,
        gas: &'a mut GasMeter,
    ) -> Self {
        Interpreter {
            loader,
            data,
            store,
            ext,
            gas,
            stack: Vec::new(),
            frames: Vec::new(),
            instructions: 0,
            no_ty_args: Rc::new(Vec::new()),
        }
    }

    #[inline]
    fn push(&mut self, v: Value) -> VmResult<()> {
        if self.stack.len() >= OPERAND_STACK_SIZE_LIMIT {
            return Err(VmError::new(StatusCode::EXECUTION_STACK_OVERFLOW));
        }
        self.stack.push(v);
        Ok(())
    }

    #[inline]
    fn pop(&mut self) -> VmResult<Value> {
        self.stack
            .pop()
            .ok_or_else(|| VmError::new(StatusCode::EMPTY_VALUE_STACK))
    }

    fn pop_n(&mut self, n: usize) -> VmResult<Vec<Value>> {
        let start = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or_else(|| VmError::new(StatusCode::EMPTY_VALUE_STACK))?;
        Ok(self.stack.split_off(start))
    }

    /// Moves the top `n` values into a new locals vector with room for `capacity` locals.
    fn pop_args(&mut self, n: usize, capacity: usize) -> VmResult<Vec<Value>> {
        let start = self
            .stack
            .len()
            .checked_sub(n)
            .ok_or_else(|| VmError::new(StatusCode::EMPTY_VALUE_STACK))?;
        let mut locals = Vec::with_capacity(capacity.max(n));
        locals.extend(self.stack.drain(start..));
        Ok(locals)
    }

    fn make_frame(
        &self,
        function: Rc<LoadedFunction>,
        ty_args: Rc<Vec<Type>>,
        args: Vec<Value>,
    ) -> VmResult<Frame> {
        if ty_args.len() != function.type_param_count {
            return Err(VmError::new(StatusCode::NUMBER_OF_TYPE_ARGUMENTS_MISMATCH));
        }
        let mut locals = args;
        if locals.len() > function.local_count {
            return Err(invariant("more arguments than locals"));
        }
        locals.resize_with(function.local_count, || Value::Invalid);
        let module = self.loader.module(function.module)?.clone();
        Ok(Frame {
            function,
            module,
            ty_args,
            pc: 0,
            locals: new_container(locals),
        })
    }

    fn locate(err: VmError, frame: &Frame) -> VmError {
        let mut err = err;
        if err.location == Location::Undefined {
            err.location = if frame.module.is_script {
                Location::Script
            } else {
                Location::Module(frame.module.label.clone())
            };
            err.offsets.push(ErrorOffset {
                function_def_index: frame.function.def_index,
                function: frame.function.name.clone(),
                code_offset: frame.pc as u16,
            });
        }
        err
    }

    /// Runs `function` with already-bound arguments; returns the values left on the stack.
    pub fn run(
        &mut self,
        function: Rc<LoadedFunction>,
        ty_args: Vec<Type>,
        args: Vec<Value>,
    ) -> VmResult<Vec<Value>> {
        let result = self.run_inner(function, ty_args, args);
        result.map_err(|err| {
            // A verification-class error escaping execution is reported as VERIFICATION_ERROR with
            // its location only.
            if err.major_status.is_verification() {
                VmError {
                    major_status: StatusCode::VERIFICATION_ERROR,
                    sub_status: None,
                    location: err.location,
                    offsets: Vec::new(),
                    message: err.message,
                }
            } else {
                err
            }
        })
    }

    fn run_inner(
        &mut self,
        function: Rc<LoadedFunction>,
        ty_args: Vec<Type>,
        args: Vec<Value>,
    ) -> VmResult<Vec<Value>> {
        if function.is_native {
            return Err(VmError::new(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR)
                .with_message("native entry function"));
        }
        let mut frame = self.make_frame(function, Rc::new(ty_args), args)?;
        loop {
            match self.execute_frame(&mut frame) {
                Ok(Exit::Return) => match self.frames.pop() {
                    Some(caller) => {
                        frame = caller;
                        frame.pc += 1;
                    }
                    None => return Ok(std::mem::take(&mut self.stack)),
                },
                Ok(Exit::Call(fid, ty_args)) => {
                    let callee = self
                        .loader
                        .function(fid)
                        .map_err(|e| Self::locate(e, &frame))?
                        .clone();
                    if callee.is_native {
                        self.call_native(&callee, &ty_args)
                            .map_err(|e| Self::locate(e, &frame))?;
                        frame.pc += 1;
                        continue;
                    }
                    if self.frames.len() >= CALL_STACK_SIZE_LIMIT {
                        return Err(Self::locate(
                            VmError::new(StatusCode::CALL_STACK_OVERFLOW),
                            &frame,
                        ));
                    }
                    let args = self
                        .pop_args(callee.params.len(), callee.local_count)
                        .map_err(|e| Self::locate(e, &frame))?;
                    let new_frame = self
                        .make_frame(callee, ty_args, args)
                        .map_err(|e| Self::locate(e, &frame))?;
                    self.frames.push(std::mem::replace(&mut frame, new_frame));
                }
                Err(e) => return Err(Self::locate(e, &frame)),
            }
        }
    }

    fn call_native(&mut self, callee: &Rc<LoadedFunction>, ty_args: &[Type]) -> VmResult<()> {
        let native = callee.native.ok_or_else(|| {
            VmError::new(StatusCode::MISSING_DEPENDENCY).with_message(format!("{callee:?}"))
        })?;
        let args = self.pop_n(callee.params.len())?;
        let mut ctx = NativeContext {
            loader: self.loader,
            ext: self.ext,
        };
        match native(&mut ctx, ty_args, args)? {
            NativeResult::Return(values) => {
                for v in values {
                    self.push(v)?;
                }
                Ok(())
            }
            NativeResult::Abort(code) => Err(VmError {
                major_status: StatusCode::ABORTED,
                sub_status: Some(code),
                location: Location::Module(callee.module_label.clone()),
                offsets: vec![ErrorOffset {
                    function_def_index: callee.def_index,
                    function: callee.name.clone(),
                    code_offset: 0,
                }],
                message: None,
            }),
        }
    }

    /// A struct instantiation of the frame's module with the frame's type arguments substituted.
    fn struct_inst(&self, frame: &Frame, inst: u16) -> VmResult<(StructId, Vec<Type>)> {
        let (sid, args) = frame
            .module
            .struct_insts
            .get(inst as usize)
            .ok_or_else(|| invariant("struct instantiation out of range"))?;
        check_instantiation_size(&frame.ty_args, args)?;
        let args = args
            .iter()
            .map(|a| a.subst(&frame.ty_args))
            .collect::<VmResult<Vec<_>>>()?;
        Ok((*sid, args))
    }

    fn vec_elem_type(&self, frame: &Frame, idx: u16) -> VmResult<Type> {
        let ty = frame
            .module
            .vec_types
            .get(idx as usize)
            .and_then(|t| t.as_ref())
            .ok_or_else(|| invariant("vector instruction without an element type"))?;
        if frame.ty_args.is_empty() {
            Ok(ty.clone())
        } else {
            subst_checked(ty, &frame.ty_args)
        }
    }

    fn pack(&mut self, sid: StructId, args: Vec<Type>) -> VmResult<()> {
        let ty = Type::Struct(sid, args);
        self.loader.check_value_depth(&ty)?;
        let n = self.loader.struct_def(sid)?.fields.len();
        let fields = self.pop_n(n)?;
        self.push(Value::struct_of(fields))
    }

    fn unpack(&mut self, sid: StructId) -> VmResult<()> {
        let n = self.loader.struct_def(sid)?.fields.len();
        let v = self.pop()?;
        let fields = take_elems(v.as_struct()?)?;
        if fields.len() != n {
            return Err(type_error(
                "unpack of a struct with a different field count",
            ));
        }
        for f in fields {
            self.push(f)?;
        }
        Ok(())
    }

    fn global_address(&mut self) -> VmResult<[u8; 32]> {
        self.pop()?.as_address()
    }

    fn exists(&mut self, ty: Type) -> VmResult<()> {
        let addr = self.global_address()?;
        let b = self.data.exists(self.loader, self.store, addr, &ty)?;
        self.push(Value::Bool(b))
    }

    fn borrow_global(&mut self, ty: Type) -> VmResult<()> {
        let addr = self.global_address()?;
        let r = self
            .data
            .borrow_global(self.loader, self.store, addr, &ty)?;
        self.push(r)
    }

    fn move_from(&mut self, ty: Type) -> VmResult<()> {
        let addr = self.global_address()?;
        let v = self.data.move_from(self.loader, self.store, addr, &ty)?;
        self.push(v)
    }

    fn move_to(&mut self, ty: Type) -> VmResult<()> {
        let resource = self.pop()?;
        let signer = self.pop()?.into_ref()?;
        let addr = signer.with(|s| s.signer_address())?;
        self.data
            .move_to(self.loader, self.store, addr, &ty, resource)
    }

    fn vec_ref(&mut self) -> VmResult<Container> {
        let r = self.pop()?.into_ref()?;
        r.with(|v| v.as_vector().cloned())
    }

    fn execute_frame(&mut self, frame: &mut Frame) -> VmResult<Exit> {
        let function = frame.function.clone();
        let code = &function.code;
        loop {
            let instr = code
                .get(frame.pc)
                .ok_or_else(|| VmError::new(StatusCode::PC_OVERFLOW))?;
            self.gas.charge_instr(1)?;
            self.instructions += 1;
            match instr {
                Instr::Pop => {
                    self.pop()?;
                }
                Instr::Ret => return Ok(Exit::Return),
                Instr::BrTrue(off) => {
                    if self.pop()?.as_bool()? {
                        frame.pc = *off as usize;
                        continue;
                    }
                }
                Instr::BrFalse(off) => {
                    if !self.pop()?.as_bool()? {
                        frame.pc = *off as usize;
                        continue;
                    }
                }
                Instr::Branch(off) => {
                    frame.pc = *off as usize;
                    continue;
                }
                Instr::LdU8(v) => self.push(Value::U8(*v))?,
                Instr::LdU16(v) => self.push(Value::U16(*v))?,
                Instr::LdU32(v) => self.push(Value::U32(*v))?,
                Instr::LdU64(v) => self.push(Value::U64(*v))?,
                Instr::LdU128(v) => self.push(Value::U128(*v))?,
                Instr::LdU256(v) => self.push(Value::U256(**v))?,
                Instr::LdTrue => self.push(Value::Bool(true))?,
                Instr::LdFalse => self.push(Value::Bool(false))?,
                Instr::LdConst(i) => {
                    let v = frame
                        .module
                        .constants
                        .get(*i as usize)
                        .ok_or_else(|| invariant("constant out of range"))?
                        .copy_value()?;
                    self.push(v)?;
                }
                Instr::CastU8 => {
                    let v = self.pop()?;
                    self.push(cast(v, 8)?)?
                }
                Instr::CastU16 => {
                    let v = self.pop()?;
                    self.push(cast(v, 16)?)?
                }
                Instr::CastU32 => {
                    let v = self.pop()?;
                    self.push(cast(v, 32)?)?
                }
                Instr::CastU64 => {
                    let v = self.pop()?;
                    self.push(cast(v, 64)?)?
                }
                Instr::CastU128 => {
                    let v = self.pop()?;
                    self.push(cast(v, 128)?)?
                }
                Instr::CastU256 => {
                    let v = self.pop()?;
                    self.push(cast(v, 256)?)?
                }
                Instr::CopyLoc(i) => {
                    let v = {
                        let locals = read(&frame.locals)?;
                        match locals.get(*i as usize) {
                            Some(v) if !v.is_invalid() => v.copy_value()?,
                            _ => return Err(invariant("copy of an unavailable local")),
                        }
                    };
                    self.push(v)?;
                }
                Instr::MoveLoc(i) => {
                    let v = {
                        let mut locals = write(&frame.locals)?;
                        match locals.get_mut(*i as usize) {
                            Some(v) if !v.is_invalid() => std::mem::take(v),
                            _ => return Err(invariant("move of an unavailable local")),
                        }
                    };
                    self.push(v)?;
                }
                Instr::StLoc(i) => {
                    let v = self.pop()?;
                    let mut locals = write(&frame.locals)?;
                    *locals
                        .get_mut(*i as usize)
                        .ok_or_else(|| invariant("local out of range"))? = v;
                }
                Instr::MutBorrowLoc(i) | Instr::ImmBorrowLoc(i) => {
                    if (*i as usize) >= function.local_count {
                        return Err(invariant("local out of range"));
                    }
                    self.push(Value::Ref(Reference::new(
                        frame.locals.clone(),
                        *i as usize,
                    )))?;
                }
                Instr::BorrowField(k) => {
                    let r = self.pop()?.into_ref()?;
                    let c = r.with(|v| v.as_struct().cloned())?;
                    if (*k as usize) >= read(&c)?.len() {
                        return Err(invariant("field out of range"));
                    }
                    self.push(Value::Ref(Reference::new(c, *k as usize)))?;
                }
                Instr::Call(fid) => return Ok(Exit::Call(*fid, self.no_ty_args.clone())),
                Instr::CallGeneric(inst) => {
                    let (fid, args) = frame
                        .module
                        .func_insts
                        .get(*inst as usize)
                        .ok_or_else(|| invariant("function instantiation out of range"))?;
                    let args = args
                        .iter()
                        .map(|a| subst_checked(a, &frame.ty_args))
                        .collect::<VmResult<Vec<_>>>()?;
                    check_instantiation_size(&frame.ty_args, &args)?;
                    return Ok(Exit::Call(*fid, Rc::new(args)));
                }
                Instr::Pack(sid, _) => self.pack(*sid, Vec::new())?,
                Instr::PackGeneric(inst) => {
                    let (sid, args) = self.struct_inst(frame, *inst)?;
                    self.pack(sid, args)?;
                }
                Instr::Unpack(sid) => self.unpack(*sid)?,
                Instr::UnpackGeneric(inst) => {
                    let (sid, _) = self.struct_inst(frame, *inst)?;
                    self.unpack(sid)?;
                }
                Instr::ReadRef => {
                    let r = self.pop()?.into_ref()?;
                    let v = r.read_ref()?;
                    self.push(v)?;
                }
                Instr::WriteRef => {
                    let r = self.pop()?.into_ref()?;
                    let v = self.pop()?;
                    r.write_ref(v)?;
                }
                Instr::FreezeRef => {
                    if !matches!(self.stack.last(), Some(Value::Ref(_))) {
                        return Err(type_error("freeze of a non-reference"));
                    }
                }
                Instr::Add => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(checked_binop!(a, b, checked_add))?;
                }
                Instr::Sub => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(checked_binop!(a, b, checked_sub))?;
                }
                Instr::Mul => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(checked_binop!(a, b, checked_mul))?;
                }
                Instr::Div => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(checked_binop!(a, b, checked_div))?;
                }
                Instr::Mod => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(checked_binop!(a, b, checked_rem))?;
                }
                Instr::BitOr => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(bit_binop!(a, b, |))?;
                }
                Instr::BitAnd => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(bit_binop!(a, b, &))?;
                }
                Instr::Xor => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(bit_binop!(a, b, ^))?;
                }
                Instr::Shl => {
                    let (n, x) = (self.pop()?, self.pop()?);
                    self.push(shift(x, n, true)?)?;
                }
                Instr::Shr => {
                    let (n, x) = (self.pop()?, self.pop()?);
                    self.push(shift(x, n, false)?)?;
                }
                Instr::Or => {
                    let (b, a) = (self.pop()?.as_bool()?, self.pop()?.as_bool()?);
                    self.push(Value::Bool(a || b))?;
                }
                Instr::And => {
                    let (b, a) = (self.pop()?.as_bool()?, self.pop()?.as_bool()?);
                    self.push(Value::Bool(a && b))?;
                }
                Instr::Not => {
                    let a = self.pop()?.as_bool()?;
                    self.push(Value::Bool(!a))?;
                }
                Instr::Eq => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(a.equals(&b)?))?;
                }
                Instr::Neq => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(!a.equals(&b)?))?;
                }
                Instr::Lt => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(compare!(a, b, <)))?;
                }
                Instr::Gt => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(compare!(a, b, >)))?;
                }
                Instr::Le => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(compare!(a, b, <=)))?;
                }
                Instr::Ge => {
                    let (b, a) = (self.pop()?, self.pop()?);
                    self.push(Value::Bool(compare!(a, b, >=)))?;
                }
                Instr::Abort => {
                    let code = self.pop()?.as_u64()?;
                    return Err(VmError::new(StatusCode::ABORTED).with_sub_status(code));
                }
                Instr::Nop => {}
                Instr::Exists(sid) => self.exists(Type::Struct(*sid, Vec::new()))?,
                Instr::ExistsGeneric(inst) => {
                    let (sid, args) = self.struct_inst(frame, *inst)?;
                    self.exists(Type::Struct(sid, args))?;
                }
                Instr::MutBorrowGlobal(sid) | Instr::ImmBorrowGlobal(sid) => {
                    self.borrow_global(Type::Struct(*sid, Vec::new()))?
                }
                Instr::MutBorrowGlobalGeneric(inst) | Instr::ImmBorrowGlobalGeneric(inst) => {
                    let (sid, args) = self.struct_inst(frame, *inst)?;
                    self.borrow_global(Type::Struct(sid, args))?;
                }
                Instr::MoveFrom(sid) => self.move_from(Type::Struct(*sid, Vec::new()))?,
                Instr::MoveFromGeneric(inst) => {
                    let (sid, args) = self.struct_inst(frame, *inst)?;
                    self.move_from(Type::Struct(sid, args))?;
                }
                Instr::MoveTo(sid) => self.move_to(Type::Struct(*sid, Vec::new()))?,
                Instr::MoveToGeneric(inst) => {
                    let (sid, args) = self.struct_inst(frame, *inst)?;
                    self.move_to(Type::Struct(sid, args))?;
                }
                Instr::VecPack(ty, n) => {
                    let elem = self.vec_elem_type(frame, *ty)?;
                    self.loader
                        .check_value_depth(&Type::Vector(Box::new(elem)))?;
                    let n = usize::try_from(*n).map_err(|_| invariant("vector pack count"))?;
                    let elems = self.pop_n(n)?;
                    self.push(Value::vector_of(elems))?;
                }
                Instr::VecLen(_) => {
                    let c = self.vec_ref()?;
                    let len = read(&c)?.len();
                    self.push(Value::U64(len as u64))?;
                }
                Instr::VecImmBorrow(_) | Instr::VecMutBorrow(_) => {
                    let i = self.pop()?.as_u64()?;
                    let c = self.vec_ref()?;
                    if i >= read(&c)?.len() as u64 {
                        return Err(vec_err(vector_sub_status::INDEX_OUT_OF_BOUNDS));
                    }
                    self.push(Value::Ref(Reference::new(c, i as usize)))?;
                }
                Instr::VecPushBack(_) => {
                    let v = self.pop()?;
                    let c = self.vec_ref()?;
                    write(&c)?.push(v);
                }
                Instr::VecPopBack(_) => {
                    let c = self.vec_ref()?;
                    let v = write(&c)?
                        .pop()
                        .ok_or_else(|| vec_err(vector_sub_status::POP_EMPTY_VEC))?;
                    self.push(v)?;
                }
                Instr::VecUnpack(_, n) => {
                    let v = self.pop()?;
                    let elems = take_elems(v.as_vector()?)?;
                    if elems.len() as u64 != *n {
                        return Err(vec_err(vector_sub_status::VEC_UNPACK_PARITY_MISMATCH));
                    }
                    for e in elems {
                        self.push(e)?;
                    }
                }
                Instr::VecSwap(_) => {
                    let j = self.pop()?.as_u64()?;
                    let i = self.pop()?.as_u64()?;
                    let c = self.vec_ref()?;
                    let mut elems = write(&c)?;
                    let len = elems.len() as u64;
                    if i >= len || j >= len {
                        return Err(vec_err(vector_sub_status::INDEX_OUT_OF_BOUNDS));
                    }
                    elems.swap(i as usize, j as usize);
                }
            }
            frame.pc += 1;
        }
    }
}
