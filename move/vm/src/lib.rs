//! A Move VM for bytecode version 6 with the semantics of the 0L (Diem-fork) Move VM: a loader that
//! publishes and links modules read by `move-bytecode`, an interpreter for every v6 instruction with
//! upstream's failure statuses and limits, global storage with a change set, the MoveStdlib and
//! VendorStdlib natives, BCS of Move values, gas metering, and a runner that checks the VM against
//! the recorded outcomes of the conformance corpus.

pub mod bcs;
pub mod conformance;
pub mod gas;
pub mod instr;
mod interpreter;
pub mod loader;
pub mod natives;
pub mod publish;
pub mod session;
pub mod status;
pub mod storage;
pub mod types;
pub mod values;

pub use gas::GasMeter;
pub use loader::{Loader, ModuleKey};
pub use publish::publish_bundle;
pub use session::{CallOutput, ChangeSet, Session};
pub use status::{Location, StatusCode, VmError, VmResult};
pub use storage::{EmptyStore, InMemoryStore, ResourceStore, WriteOp};
