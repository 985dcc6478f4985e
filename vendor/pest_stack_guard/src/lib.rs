//! Stands in for pest's `pest_stack_guard` (same version and API), with the
//! native stack probe switched off.
//!
//! pest asks this crate how much stack is left on every rule, sequence,
//! repetition and option it enters: about a tenth of mdl's parse time went
//! to `stacker::remaining_stack` and the bookkeeping around it. mdl never
//! needs that probe: `src/syntax/depth.rs` refuses any text nesting deeper
//! than `MAX_NESTING` levels (E0103) before pest sees it, so pest's recursion
//! is bounded by the grammar times that limit, far inside any thread's stack.

/// The remaining native stack space in bytes: never known here, so pest
/// skips its stack check (as it does on targets without a probe).
#[inline]
pub fn remaining_stack() -> Option<usize> {
    None
}
