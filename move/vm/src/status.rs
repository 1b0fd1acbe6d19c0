//! VM status codes (the subset of upstream's `StatusCode` this VM can produce) and the error value
//! that execution reports: major status, sub status, location and (function, code offset) frames.

use std::fmt;

/// A major VM status with its upstream numeric code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum StatusCode {
    UNKNOWN_VALIDATION_STATUS,
    INVALID_SIGNATURE,
    LOOKUP_FAILED,
    FUNCTION_RESOLUTION_FAILURE,
    INVALID_MAIN_FUNCTION_SIGNATURE,
    TYPE_MISMATCH,
    MISSING_DEPENDENCY,
    LINKER_ERROR,
    DUPLICATE_MODULE_NAME,
    CYCLIC_MODULE_DEPENDENCY,
    NUMBER_OF_ARGUMENTS_MISMATCH,
    INVALID_PARAM_TYPE_FOR_DESERIALIZATION,
    FAILED_TO_DESERIALIZE_ARGUMENT,
    NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH,
    NUMBER_OF_TYPE_ARGUMENTS_MISMATCH,
    EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION,
    TOO_MANY_TYPE_NODES,
    UNKNOWN_INVARIANT_VIOLATION_ERROR,
    EMPTY_VALUE_STACK,
    PC_OVERFLOW,
    VERIFICATION_ERROR,
    STORAGE_ERROR,
    INTERNAL_TYPE_ERROR,
    FAILED_TO_DESERIALIZE_RESOURCE,
    VALUE_SERIALIZATION_ERROR,
    VALUE_DESERIALIZATION_ERROR,
    BAD_MAGIC,
    UNKNOWN_VERSION,
    CODE_DESERIALIZATION_ERROR,
    EXECUTED,
    OUT_OF_GAS,
    RESOURCE_DOES_NOT_EXIST,
    RESOURCE_ALREADY_EXISTS,
    MISSING_DATA,
    DATA_FORMAT_ERROR,
    ABORTED,
    ARITHMETIC_ERROR,
    VECTOR_OPERATION_ERROR,
    EXECUTION_STACK_OVERFLOW,
    CALL_STACK_OVERFLOW,
    VM_MAX_TYPE_DEPTH_REACHED,
    VM_MAX_VALUE_DEPTH_REACHED,
    VM_EXTENSION_ERROR,
}

impl StatusCode {
    /// Upstream's numeric code.
    pub fn code(self) -> u64 {
        use StatusCode::*;
        match self {
            UNKNOWN_VALIDATION_STATUS => 0,
            INVALID_SIGNATURE => 1,
            LOOKUP_FAILED => 1017,
            FUNCTION_RESOLUTION_FAILURE => 1091,
            INVALID_MAIN_FUNCTION_SIGNATURE => 1011,
            TYPE_MISMATCH => 1020,
            MISSING_DEPENDENCY => 1021,
            LINKER_ERROR => 1081,
            DUPLICATE_MODULE_NAME => 1095,
            CYCLIC_MODULE_DEPENDENCY => 1097,
            NUMBER_OF_ARGUMENTS_MISMATCH => 1098,
            INVALID_PARAM_TYPE_FOR_DESERIALIZATION => 1099,
            FAILED_TO_DESERIALIZE_ARGUMENT => 1100,
            NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH => 1101,
            NUMBER_OF_TYPE_ARGUMENTS_MISMATCH => 1076,
            EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION => 1103,
            TOO_MANY_TYPE_NODES => 1116,
            UNKNOWN_INVARIANT_VIOLATION_ERROR => 2000,
            EMPTY_VALUE_STACK => 2003,
            PC_OVERFLOW => 2005,
            VERIFICATION_ERROR => 2006,
            STORAGE_ERROR => 2008,
            INTERNAL_TYPE_ERROR => 2009,
            FAILED_TO_DESERIALIZE_RESOURCE => 2020,
            VALUE_SERIALIZATION_ERROR => 3022,
            VALUE_DESERIALIZATION_ERROR => 3023,
            BAD_MAGIC => 3002,
            UNKNOWN_VERSION => 3003,
            CODE_DESERIALIZATION_ERROR => 3024,
            EXECUTED => 4001,
            OUT_OF_GAS => 4002,
            RESOURCE_DOES_NOT_EXIST => 4003,
            RESOURCE_ALREADY_EXISTS => 4004,
            MISSING_DATA => 4008,
            DATA_FORMAT_ERROR => 4009,
            ABORTED => 4016,
            ARITHMETIC_ERROR => 4017,
            VECTOR_OPERATION_ERROR => 4018,
            EXECUTION_STACK_OVERFLOW => 4020,
            CALL_STACK_OVERFLOW => 4021,
            VM_MAX_TYPE_DEPTH_REACHED => 4024,
            VM_MAX_VALUE_DEPTH_REACHED => 4025,
            VM_EXTENSION_ERROR => 4026,
        }
    }

    /// Upstream's name (the enum variant spelling).
    pub fn name(self) -> String {
        format!("{self:?}")
    }

    /// Whether the code is in the verification range (1000–1999).
    pub fn is_verification(self) -> bool {
        (1000..2000).contains(&self.code())
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?} ({})", self.code())
    }
}

/// Where an error happened: a module (`0x…::name`, short address form), a script, or nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Undefined,
    Script,
    Module(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Undefined => write!(f, "undefined"),
            Location::Script => write!(f, "script"),
            Location::Module(m) => write!(f, "{m}"),
        }
    }
}

/// One frame of an error position: function definition index, its name, code offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorOffset {
    pub function_def_index: u16,
    pub function: String,
    pub code_offset: u16,
}

/// A failed execution as the VM reports it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{major_status} sub_status={sub_status:?} at {location} {offsets:?}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct VmError {
    pub major_status: StatusCode,
    pub sub_status: Option<u64>,
    pub location: Location,
    pub offsets: Vec<ErrorOffset>,
    pub message: Option<String>,
}

impl VmError {
    /// A bare error with no location yet.
    pub fn new(major_status: StatusCode) -> Self {
        VmError {
            major_status,
            sub_status: None,
            location: Location::Undefined,
            offsets: Vec::new(),
            message: None,
        }
    }

    pub fn with_sub_status(mut self, sub: u64) -> Self {
        self.sub_status = Some(sub);
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The abort code, when the status is `ABORTED`.
    pub fn abort_code(&self) -> Option<u64> {
        if self.major_status == StatusCode::ABORTED {
            self.sub_status
        } else {
            None
        }
    }
}

/// Result type of VM operations.
pub type VmResult<T> = Result<T, VmError>;

/// Shorthand for an error without location.
pub fn err<T>(code: StatusCode) -> VmResult<T> {
    Err(VmError::new(code))
}

/// Sub statuses of `VECTOR_OPERATION_ERROR`.
pub mod vector_sub_status {
    pub const INDEX_OUT_OF_BOUNDS: u64 = 1;
    pub const POP_EMPTY_VEC: u64 = 2;
    pub const VEC_UNPACK_PARITY_MISMATCH: u64 = 3;
}

#[cfg(test)]
mod tests {
    use super::StatusCode::*;

    /// The codes listed in the VM specification's status table (§9).
    #[test]
    fn codes_match_the_specification() {
        let table = [
            (EXECUTED, 4001),
            (OUT_OF_GAS, 4002),
            (RESOURCE_DOES_NOT_EXIST, 4003),
            (RESOURCE_ALREADY_EXISTS, 4004),
            (MISSING_DATA, 4008),
            (DATA_FORMAT_ERROR, 4009),
            (ABORTED, 4016),
            (ARITHMETIC_ERROR, 4017),
            (VECTOR_OPERATION_ERROR, 4018),
            (EXECUTION_STACK_OVERFLOW, 4020),
            (CALL_STACK_OVERFLOW, 4021),
            (VM_MAX_TYPE_DEPTH_REACHED, 4024),
            (VM_MAX_VALUE_DEPTH_REACHED, 4025),
            (VM_EXTENSION_ERROR, 4026),
            (INVALID_MAIN_FUNCTION_SIGNATURE, 1011),
            (TYPE_MISMATCH, 1020),
            (MISSING_DEPENDENCY, 1021),
            (LINKER_ERROR, 1081),
            (CYCLIC_MODULE_DEPENDENCY, 1097),
            (NUMBER_OF_ARGUMENTS_MISMATCH, 1098),
            (INVALID_PARAM_TYPE_FOR_DESERIALIZATION, 1099),
            (FAILED_TO_DESERIALIZE_ARGUMENT, 1100),
            (NUMBER_OF_SIGNER_ARGUMENTS_MISMATCH, 1101),
            (EXECUTE_ENTRY_FUNCTION_CALLED_ON_NON_ENTRY_FUNCTION, 1103),
            (TOO_MANY_TYPE_NODES, 1116),
            (UNKNOWN_INVARIANT_VIOLATION_ERROR, 2000),
            (EMPTY_VALUE_STACK, 2003),
            (PC_OVERFLOW, 2005),
            (VERIFICATION_ERROR, 2006),
            (STORAGE_ERROR, 2008),
            (INTERNAL_TYPE_ERROR, 2009),
            (FAILED_TO_DESERIALIZE_RESOURCE, 2020),
            (BAD_MAGIC, 3002),
            (UNKNOWN_VERSION, 3003),
            (CODE_DESERIALIZATION_ERROR, 3024),
        ];
        for (status, code) in table {
            assert_eq!(status.code(), code, "{status:?}");
        }
        assert!(TOO_MANY_TYPE_NODES.is_verification());
        assert!(!OUT_OF_GAS.is_verification());
    }
}
