//! Compile-fail cases of the `machine!` and `#[fsm::implement]` macros (`tests/ui/<topic>/*.rs`, each
//! with its spec and its reviewed `.stderr`), and one case that compiles and
//! runs (`tests/ui/pass/`).
//!
//! trybuild builds the cases in a crate of its own, so the specs are found
//! through `FSM_MANIFEST_DIR`, set to this crate's folder.

#[test]
fn ui() {
    // SAFETY: this test binary has this one test, so no other thread reads
    // the environment while it is written.
    unsafe { std::env::set_var("FSM_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR")) };
    let cases = trybuild::TestCases::new();
    for topic in [
        "args",
        "syntax",
        "names",
        "types",
        "structure",
        "codegen",
        "usage",
        "bindings",
        "hygiene",
    ] {
        cases.compile_fail(format!("ui/{topic}/*.rs"));
    }
    cases.pass("ui/pass/*.rs");
}
