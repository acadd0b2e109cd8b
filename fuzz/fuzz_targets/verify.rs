//! The model checker on inputs that compile, with small bounds so that one
//! input stays fast: `verify` never panics (an evaluation error is a
//! result, not a crash).

#![no_main]

use fsm_tools::verify::{Options, verify};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let c = fsm_core::compile("fuzz.fsm", data);
    let Some(model) = c.model else {
        return;
    };
    let mut options = Options {
        max_depth: Some(20),
        max_states: Some(2_000),
        ..Options::default()
    };
    let _ = verify(&model, &mut options);
});
