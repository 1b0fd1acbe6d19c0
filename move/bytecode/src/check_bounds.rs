//! Index consistency checks run by the reader after decoding: every index points into its
//! table, struct instantiations have the right number of type arguments, type parameters,
//! locals and branch targets are in range, and field handles name existing fields.
//!
//! These are the structural checks of upstream's `check_bounds.rs`; type checking and the rest
//! of the bytecode verifier are out of scope.

use crate::deserializer::BinaryLayout;
use crate::error::{DeserializeError, ErrorKind, Location};
use crate::file_format::*;

/// Checks every index of `unit`. Offsets in errors come from `layout` (0 where it has none, e.g.
/// for a unit built in memory: pass `&BinaryLayout::default()`).
pub fn check_unit(unit: &CompiledUnit, layout: &BinaryLayout) -> Result<(), DeserializeError> {
    let view = unit.view();
    let max_type_param = view
        .signatures()
        .iter()
        .map(|sig| sig.tokens().iter().filter_map(max_type_parameter).max())
        .collect();
    let checker = Checker {
        view,
        layout,
        max_type_param,
    };
    checker.check_common()?;
    match unit {
        CompiledUnit::Module(module) => checker.check_module(module),
        CompiledUnit::Script(script) => checker.check_script(script),
    }
}

struct Checker<'a> {
    view: BinaryIndexedView<'a>,
    layout: &'a BinaryLayout,
    /// Per signature, the highest type parameter index it uses.
    max_type_param: Vec<Option<u16>>,
}

/// The highest type parameter index in a token (iterative: in-memory tokens may be deep).
fn max_type_parameter(token: &SignatureToken) -> Option<u16> {
    let mut max = None;
    let mut stack = vec![token];
    while let Some(t) = stack.pop() {
        match t {
            SignatureToken::TypeParameter(i) => max = max.max(Some(*i)),
            SignatureToken::Vector(inner)
            | SignatureToken::Reference(inner)
            | SignatureToken::MutableReference(inner) => stack.push(inner),
            SignatureToken::StructInstantiation(_, args) => stack.extend(args.iter()),
            _ => {}
        }
    }
    max
}

fn oob(what: &'static str, index: usize, table: TableKind, len: usize) -> ErrorKind {
    ErrorKind::IndexOutOfBounds {
        what,
        index,
        table,
        len,
    }
}

impl<'a> Checker<'a> {
    fn at(&self, table: TableKind, entry: usize, kind: ErrorKind) -> DeserializeError {
        DeserializeError::new(
            self.layout.entry_offset(table, entry).unwrap_or(0),
            Location::Table { table, entry },
            kind,
        )
    }

    fn idx<I: Into<usize>>(
        &self,
        table: TableKind,
        entry: usize,
        what: &'static str,
        index: I,
        target: TableKind,
        len: usize,
    ) -> Result<(), DeserializeError> {
        let index = index.into();
        if index >= len {
            Err(self.at(table, entry, oob(what, index, target, len)))
        } else {
            Ok(())
        }
    }

    fn lens(&self) -> Lens {
        let v = &self.view;
        Lens {
            mh: v.module_handles().len(),
            sh: v.struct_handles().len(),
            fh: v.function_handles().len(),
            fi: v.function_instantiations().len(),
            sig: v.signatures().len(),
            ident: v.identifiers().len(),
            addr: v.address_identifiers().len(),
            constant: v.constant_pool().len(),
            sd: v.struct_defs().len(),
            sdi: v.struct_def_instantiations().len(),
            fld: v.field_handles().len(),
            fldi: v.field_instantiations().len(),
        }
    }

    /// Checks the struct handles and type parameters of a token; `type_params` is the number of
    /// type parameters in scope, or `None` when the scope is unknown (a shared signature).
    fn check_token(
        &self,
        token: &SignatureToken,
        type_params: Option<usize>,
    ) -> Result<(), ErrorKind> {
        self.check_token_at(token, type_params, 1)
    }

    fn check_token_at(
        &self,
        token: &SignatureToken,
        type_params: Option<usize>,
        depth: usize,
    ) -> Result<(), ErrorKind> {
        // Tokens from the reader are at most this deep; an in-memory unit may not be.
        if depth > limits::SIGNATURE_TOKEN_DEPTH_MAX {
            return Err(ErrorKind::TypeTooDeep(limits::SIGNATURE_TOKEN_DEPTH_MAX));
        }
        let handles = self.view.struct_handles();
        let handle_at = |sh: &StructHandleIndex| {
            handles.get(sh.into_index()).ok_or_else(|| {
                oob(
                    "struct handle",
                    sh.into_index(),
                    TableKind::StructHandles,
                    handles.len(),
                )
            })
        };
        match token {
            SignatureToken::Struct(sh) => {
                let handle = handle_at(sh)?;
                if !handle.type_parameters.is_empty() {
                    return Err(ErrorKind::GenericStructWithoutArguments {
                        handle: sh.into_index(),
                        expected: handle.type_parameters.len(),
                    });
                }
            }
            SignatureToken::StructInstantiation(sh, args) => {
                let handle = handle_at(sh)?;
                if handle.type_parameters.len() != args.len() {
                    return Err(ErrorKind::TypeArgumentCountMismatch {
                        handle: sh.into_index(),
                        expected: handle.type_parameters.len(),
                        found: args.len(),
                    });
                }
                for arg in args {
                    self.check_token_at(arg, type_params, depth + 1)?;
                }
            }
            SignatureToken::Vector(inner)
            | SignatureToken::Reference(inner)
            | SignatureToken::MutableReference(inner) => {
                self.check_token_at(inner, type_params, depth + 1)?
            }
            SignatureToken::TypeParameter(index) => {
                if let Some(count) = type_params {
                    if *index as usize >= count {
                        return Err(ErrorKind::TypeParameterOutOfBounds {
                            index: *index as usize,
                            count,
                        });
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks the type parameters used by signature `sig` against `count` in scope.
    fn check_signature_scope(&self, sig: SignatureIndex, count: usize) -> Result<(), ErrorKind> {
        match self.max_type_param.get(sig.into_index()).copied().flatten() {
            Some(max) if max as usize >= count => Err(ErrorKind::TypeParameterOutOfBounds {
                index: max as usize,
                count,
            }),
            _ => Ok(()),
        }
    }

    fn check_common(&self) -> Result<(), DeserializeError> {
        use TableKind as T;
        let l = self.lens();
        let v = &self.view;
        for (i, h) in v.module_handles().iter().enumerate() {
            self.idx(
                T::ModuleHandles,
                i,
                "address_idx",
                h.address,
                T::AddressIdentifiers,
                l.addr,
            )?;
            self.idx(
                T::ModuleHandles,
                i,
                "name_idx",
                h.name,
                T::Identifiers,
                l.ident,
            )?;
        }
        for (i, h) in v.struct_handles().iter().enumerate() {
            self.idx(
                T::StructHandles,
                i,
                "module_idx",
                h.module,
                T::ModuleHandles,
                l.mh,
            )?;
            self.idx(
                T::StructHandles,
                i,
                "name_idx",
                h.name,
                T::Identifiers,
                l.ident,
            )?;
        }
        for (i, sig) in v.signatures().iter().enumerate() {
            for token in sig.tokens() {
                self.check_token(token, None)
                    .map_err(|k| self.at(T::Signatures, i, k))?;
            }
        }
        for (i, h) in v.function_handles().iter().enumerate() {
            self.idx(
                T::FunctionHandles,
                i,
                "module_idx",
                h.module,
                T::ModuleHandles,
                l.mh,
            )?;
            self.idx(
                T::FunctionHandles,
                i,
                "name_idx",
                h.name,
                T::Identifiers,
                l.ident,
            )?;
            self.idx(
                T::FunctionHandles,
                i,
                "params_sig_idx",
                h.parameters,
                T::Signatures,
                l.sig,
            )?;
            self.idx(
                T::FunctionHandles,
                i,
                "return_sig_idx",
                h.return_,
                T::Signatures,
                l.sig,
            )?;
            let count = h.type_parameters.len();
            self.check_signature_scope(h.parameters, count)
                .and_then(|_| self.check_signature_scope(h.return_, count))
                .map_err(|k| self.at(T::FunctionHandles, i, k))?;
        }
        for (i, fi) in v.function_instantiations().iter().enumerate() {
            self.idx(
                T::FunctionInstantiations,
                i,
                "function_handle_idx",
                fi.handle,
                T::FunctionHandles,
                l.fh,
            )?;
            self.idx(
                T::FunctionInstantiations,
                i,
                "type_args_sig_idx",
                fi.type_parameters,
                T::Signatures,
                l.sig,
            )?;
        }
        for (i, c) in v.constant_pool().iter().enumerate() {
            self.check_token(&c.type_, Some(0))
                .map_err(|k| self.at(T::ConstantPool, i, k))?;
        }
        Ok(())
    }

    fn check_module(&self, m: &CompiledModule) -> Result<(), DeserializeError> {
        use TableKind as T;
        let l = self.lens();
        if m.module_handles.is_empty() {
            return Err(DeserializeError::new(
                self.layout.trailer_offset,
                Location::ModuleTrailer,
                ErrorKind::NoModuleHandles,
            ));
        }
        if m.self_module_handle_idx.into_index() >= l.mh {
            return Err(DeserializeError::new(
                self.layout.trailer_offset,
                Location::ModuleTrailer,
                oob(
                    "self_module_handle_idx",
                    m.self_module_handle_idx.into_index(),
                    T::ModuleHandles,
                    l.mh,
                ),
            ));
        }
        for (i, h) in m.friend_decls.iter().enumerate() {
            self.idx(
                T::FriendDecls,
                i,
                "address_idx",
                h.address,
                T::AddressIdentifiers,
                l.addr,
            )?;
            self.idx(
                T::FriendDecls,
                i,
                "name_idx",
                h.name,
                T::Identifiers,
                l.ident,
            )?;
        }
        for (i, def) in m.struct_defs.iter().enumerate() {
            self.idx(
                T::StructDefinitions,
                i,
                "struct_handle_idx",
                def.struct_handle,
                T::StructHandles,
                l.sh,
            )?;
            let type_params = m.struct_handles[def.struct_handle.into_index()]
                .type_parameters
                .len();
            for field in def.fields().unwrap_or(&[]) {
                self.idx(
                    T::StructDefinitions,
                    i,
                    "field name_idx",
                    field.name,
                    T::Identifiers,
                    l.ident,
                )?;
                self.check_token(&field.signature.0, Some(type_params))
                    .map_err(|k| self.at(T::StructDefinitions, i, k))?;
            }
        }
        for (i, inst) in m.struct_def_instantiations.iter().enumerate() {
            self.idx(
                T::StructDefInstantiations,
                i,
                "struct_def_idx",
                inst.def,
                T::StructDefinitions,
                l.sd,
            )?;
            self.idx(
                T::StructDefInstantiations,
                i,
                "type_args_sig_idx",
                inst.type_parameters,
                T::Signatures,
                l.sig,
            )?;
        }
        for (i, fh) in m.field_handles.iter().enumerate() {
            self.idx(
                T::FieldHandles,
                i,
                "struct_def_idx",
                fh.owner,
                T::StructDefinitions,
                l.sd,
            )?;
            let def = &m.struct_defs[fh.owner.into_index()];
            match def.fields() {
                None => {
                    return Err(self.at(
                        T::FieldHandles,
                        i,
                        ErrorKind::FieldOfNativeStruct(fh.owner.into_index()),
                    ))
                }
                Some(fields) if fh.field as usize >= fields.len() => {
                    return Err(self.at(
                        T::FieldHandles,
                        i,
                        ErrorKind::FieldOffsetOutOfBounds {
                            offset: fh.field as usize,
                            def: fh.owner.into_index(),
                            count: fields.len(),
                        },
                    ))
                }
                Some(_) => {}
            }
        }
        for (i, inst) in m.field_instantiations.iter().enumerate() {
            self.idx(
                T::FieldInstantiations,
                i,
                "field_handle_idx",
                inst.handle,
                T::FieldHandles,
                l.fld,
            )?;
            self.idx(
                T::FieldInstantiations,
                i,
                "type_args_sig_idx",
                inst.type_parameters,
                T::Signatures,
                l.sig,
            )?;
        }
        for (i, def) in m.function_defs.iter().enumerate() {
            self.idx(
                T::FunctionDefinitions,
                i,
                "function_handle_idx",
                def.function,
                T::FunctionHandles,
                l.fh,
            )?;
            for acquired in &def.acquires_global_resources {
                self.idx(
                    T::FunctionDefinitions,
                    i,
                    "acquired struct_def_idx",
                    *acquired,
                    T::StructDefinitions,
                    l.sd,
                )?;
            }
            if let Some(code) = &def.code {
                let handle = &m.function_handles[def.function.into_index()];
                let code_layout = self.layout.function_code.get(i).and_then(|c| c.as_ref());
                self.check_code(
                    code,
                    handle.parameters,
                    handle.type_parameters.len(),
                    code_layout.map(|c| c.offset),
                    code_layout.map(|c| c.instructions.as_slice()),
                    &|instruction| Location::FunctionCode {
                        function: i,
                        instruction,
                    },
                    self.layout
                        .entry_offset(T::FunctionDefinitions, i)
                        .unwrap_or(0),
                )?;
            }
        }
        Ok(())
    }

    fn check_script(&self, s: &CompiledScript) -> Result<(), DeserializeError> {
        let l = self.lens();
        let main_error =
            |kind| DeserializeError::new(self.layout.trailer_offset, Location::ScriptMain, kind);
        if s.parameters.into_index() >= l.sig {
            return Err(main_error(oob(
                "parameters signature index",
                s.parameters.into_index(),
                TableKind::Signatures,
                l.sig,
            )));
        }
        self.check_signature_scope(s.parameters, s.type_parameters.len())
            .map_err(main_error)?;
        let code_layout = self.layout.script_code.as_ref();
        self.check_code(
            &s.code,
            s.parameters,
            s.type_parameters.len(),
            code_layout.map(|c| c.offset),
            code_layout.map(|c| c.instructions.as_slice()),
            &|instruction| Location::ScriptCode { instruction },
            self.layout.trailer_offset,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn check_code(
        &self,
        code: &CodeUnit,
        parameters: SignatureIndex,
        type_params: usize,
        unit_offset: Option<usize>,
        instruction_offsets: Option<&[usize]>,
        location: &dyn Fn(Option<usize>) -> Location,
        fallback_offset: usize,
    ) -> Result<(), DeserializeError> {
        use Bytecode as B;
        use TableKind as T;
        let l = self.lens();
        let unit_error = |kind| {
            DeserializeError::new(unit_offset.unwrap_or(fallback_offset), location(None), kind)
        };
        if code.locals.into_index() >= l.sig {
            return Err(unit_error(oob(
                "locals signature index",
                code.locals.into_index(),
                T::Signatures,
                l.sig,
            )));
        }
        self.check_signature_scope(code.locals, type_params)
            .map_err(unit_error)?;
        let param_count = self.view.signature(parameters).map_or(0, |s| s.len());
        let local_count = param_count + self.view.signatures()[code.locals.into_index()].len();
        if local_count > limits::LOCAL_INDEX_MAX as usize + 1 {
            return Err(unit_error(ErrorKind::TooManyLocals { count: local_count }));
        }
        let module = self.view.module();
        for (i, instruction) in code.code.iter().enumerate() {
            let at = |kind| {
                DeserializeError::new(
                    instruction_offsets
                        .and_then(|o| o.get(i).copied())
                        .unwrap_or(fallback_offset),
                    location(Some(i)),
                    kind,
                )
            };
            let check = |what: &'static str, index: usize, table: TableKind, len: usize| {
                if index >= len {
                    Err(at(oob(what, index, table, len)))
                } else {
                    Ok(())
                }
            };
            let scope =
                |sig: SignatureIndex| self.check_signature_scope(sig, type_params).map_err(at);
            match instruction {
                B::BrTrue(target) | B::BrFalse(target) | B::Branch(target)
                    if *target as usize >= code.code.len() =>
                {
                    return Err(at(ErrorKind::BranchTargetOutOfBounds {
                        target: *target as usize,
                        len: code.code.len(),
                    }));
                }
                B::CopyLoc(loc)
                | B::MoveLoc(loc)
                | B::StLoc(loc)
                | B::MutBorrowLoc(loc)
                | B::ImmBorrowLoc(loc)
                    if *loc as usize >= local_count =>
                {
                    return Err(at(ErrorKind::LocalOutOfBounds {
                        index: *loc as usize,
                        count: local_count,
                    }));
                }
                B::LdConst(idx) => check(
                    "constant index",
                    idx.into_index(),
                    T::ConstantPool,
                    l.constant,
                )?,
                B::Call(idx) => check(
                    "function handle",
                    idx.into_index(),
                    T::FunctionHandles,
                    l.fh,
                )?,
                B::CallGeneric(idx) => {
                    check(
                        "function instantiation",
                        idx.into_index(),
                        T::FunctionInstantiations,
                        l.fi,
                    )?;
                    scope(self.view.function_instantiations()[idx.into_index()].type_parameters)?;
                }
                B::Pack(idx)
                | B::Unpack(idx)
                | B::Exists(idx)
                | B::MutBorrowGlobal(idx)
                | B::ImmBorrowGlobal(idx)
                | B::MoveFrom(idx)
                | B::MoveTo(idx) => check(
                    "struct definition",
                    idx.into_index(),
                    T::StructDefinitions,
                    l.sd,
                )?,
                B::PackGeneric(idx)
                | B::UnpackGeneric(idx)
                | B::ExistsGeneric(idx)
                | B::MutBorrowGlobalGeneric(idx)
                | B::ImmBorrowGlobalGeneric(idx)
                | B::MoveFromGeneric(idx)
                | B::MoveToGeneric(idx) => {
                    check(
                        "struct instantiation",
                        idx.into_index(),
                        T::StructDefInstantiations,
                        l.sdi,
                    )?;
                    if let Some(m) = module {
                        scope(m.struct_def_instantiations[idx.into_index()].type_parameters)?;
                    }
                }
                B::MutBorrowField(idx) | B::ImmBorrowField(idx) => {
                    check("field handle", idx.into_index(), T::FieldHandles, l.fld)?
                }
                B::MutBorrowFieldGeneric(idx) | B::ImmBorrowFieldGeneric(idx) => {
                    check(
                        "field instantiation",
                        idx.into_index(),
                        T::FieldInstantiations,
                        l.fldi,
                    )?;
                    if let Some(m) = module {
                        scope(m.field_instantiations[idx.into_index()].type_parameters)?;
                    }
                }
                B::VecPack(sig, _)
                | B::VecUnpack(sig, _)
                | B::VecLen(sig)
                | B::VecImmBorrow(sig)
                | B::VecMutBorrow(sig)
                | B::VecPushBack(sig)
                | B::VecPopBack(sig)
                | B::VecSwap(sig) => {
                    check("signature index", sig.into_index(), T::Signatures, l.sig)?;
                    scope(*sig)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

struct Lens {
    mh: usize,
    sh: usize,
    fh: usize,
    fi: usize,
    sig: usize,
    ident: usize,
    addr: usize,
    constant: usize,
    sd: usize,
    sdi: usize,
    fld: usize,
    fldi: usize,
}
