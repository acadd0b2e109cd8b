//! Code generation on inputs that compile: `codegen::generate` never panics
//! and what it produces parses as a Rust file.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let c = fsm_core::compile("fuzz.fsm", data);
    let Some(model) = c.model else {
        return;
    };
    let tokens = fsm_core::codegen::generate(&model);
    if let Err(e) = syn::parse2::<syn::File>(tokens.clone()) {
        panic!("generated code does not parse: {e}\n{tokens}");
    }
});
