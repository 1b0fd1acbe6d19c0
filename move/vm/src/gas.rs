//! Gas metering in the unit-test runner's style: every instruction costs one instruction unit plus
//! one memory unit, size-dependent instructions multiply that by the value's abstract size, natives
//! are free. Running out stops execution with `OUT_OF_GAS` at the instruction being charged.

use crate::status::{StatusCode, VmError, VmResult};

/// Internal units per gas unit.
pub const INTERNAL_UNITS_PER_GAS: u64 = 1000;
/// Cost of one instruction in internal units (instruction 1 + memory 1).
pub const INSTRUCTION_COST: u64 = 2;
/// The unit-test runner's budget, in gas units.
pub const UNIT_TEST_GAS_BUDGET: u64 = 1_000_000;

/// Remaining budget of one execution.
#[derive(Clone, Debug)]
pub struct GasMeter {
    remaining: u64,
    initial: u64,
    unmetered: bool,
}

impl GasMeter {
    /// A meter with `gas_units` of budget.
    pub fn new(gas_units: u64) -> Self {
        let internal = gas_units.saturating_mul(INTERNAL_UNITS_PER_GAS);
        GasMeter {
            remaining: internal,
            initial: internal,
            unmetered: false,
        }
    }

    /// A meter that never runs out.
    pub fn unmetered() -> Self {
        GasMeter {
            remaining: u64::MAX,
            initial: u64::MAX,
            unmetered: true,
        }
    }

    /// Charges one instruction of `size` abstract units (at least 1).
    #[inline]
    pub fn charge_instr(&mut self, size: u64) -> VmResult<()> {
        let cost = INSTRUCTION_COST.saturating_mul(size.max(1));
        match self.remaining.checked_sub(cost) {
            Some(r) => {
                if !self.unmetered {
                    self.remaining = r;
                }
                Ok(())
            }
            None => {
                self.remaining = 0;
                Err(VmError::new(StatusCode::OUT_OF_GAS))
            }
        }
    }

    /// Internal units used so far.
    pub fn used(&self) -> u64 {
        self.initial - self.remaining
    }
}
