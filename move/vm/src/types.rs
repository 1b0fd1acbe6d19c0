//! Runtime types: fully resolved Move types whose structs point into the loader's struct table,
//! with substitution of type parameters and the node count used by the type-size limit.

use crate::status::{StatusCode, VmError, VmResult};

/// Index of a struct definition in the loader's global struct table.
pub type StructId = usize;

/// A runtime type. Struct types carry their (possibly empty) type-argument list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    Address,
    Signer,
    Vector(Box<Type>),
    Struct(StructId, Vec<Type>),
    Reference(Box<Type>),
    MutableReference(Box<Type>),
    TyParam(u16),
}

/// Upper bound on how deeply types may nest while substituting (protects the native stack).
pub const MAX_TYPE_NESTING: usize = 256;

impl Type {
    /// Replaces type parameters by `args`.
    pub fn subst(&self, args: &[Type]) -> VmResult<Type> {
        self.subst_depth(args, 0)
    }

    fn subst_depth(&self, args: &[Type], depth: usize) -> VmResult<Type> {
        if depth > MAX_TYPE_NESTING {
            return Err(VmError::new(StatusCode::VM_MAX_TYPE_DEPTH_REACHED));
        }
        Ok(match self {
            Type::TyParam(i) => args.get(*i as usize).cloned().ok_or_else(|| {
                VmError::new(StatusCode::UNKNOWN_INVARIANT_VIOLATION_ERROR)
                    .with_message("type parameter out of range")
            })?,
            Type::Vector(t) => Type::Vector(Box::new(t.subst_depth(args, depth + 1)?)),
            Type::Reference(t) => Type::Reference(Box::new(t.subst_depth(args, depth + 1)?)),
            Type::MutableReference(t) => {
                Type::MutableReference(Box::new(t.subst_depth(args, depth + 1)?))
            }
            Type::Struct(id, tys) if !tys.is_empty() => Type::Struct(
                *id,
                tys.iter()
                    .map(|t| t.subst_depth(args, depth + 1))
                    .collect::<VmResult<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Number of nodes in the type tree (a struct counts one plus its arguments).
    pub fn node_count(&self) -> usize {
        match self {
            Type::Vector(t) | Type::Reference(t) | Type::MutableReference(t) => 1 + t.node_count(),
            Type::Struct(_, tys) => 1 + tys.iter().map(Type::node_count).sum::<usize>(),
            _ => 1,
        }
    }

    /// Whether the type mentions a type parameter.
    pub fn has_ty_param(&self) -> bool {
        match self {
            Type::TyParam(_) => true,
            Type::Vector(t) | Type::Reference(t) | Type::MutableReference(t) => t.has_ty_param(),
            Type::Struct(_, tys) => tys.iter().any(Type::has_ty_param),
            _ => false,
        }
    }
}
