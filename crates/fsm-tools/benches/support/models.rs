//! The models the model-checker benchmarks run on: the largest bundled
//! machine (with a depth bound that keeps one run short) and a scalable
//! spec generated from a size.

use std::path::Path;

/// `(name, spec text, max_depth override)` of every benchmarked model.
pub fn models() -> Vec<(String, String, Option<u64>)> {
    let mut out = Vec::new();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../machines/tool_surface.fsm");
    if let Ok(text) = std::fs::read_to_string(path) {
        out.push(("tool_surface (depth 7)".to_owned(), text, Some(7)));
    }
    for n in [16, 64, 256] {
        out.push((format!("ledger n={n}"), ledger(n), None));
    }
    out
}

/// A ledger of two accounts holding up to `n` units each, moved one unit
/// at a time, with the set of accounts ever deposited to: a few times `n²`
/// states, all reachable, and a complete search.
pub fn ledger(n: u32) -> String {
    format!(
        "machine Ledger {{
    phases {{ Open, Frozen }}
    initial Open
    enum Account {{ A, B }}
    state {{
        a: u32 = 0
        b: u32 = 0
        touched: Set<Account> = []
    }}
    input Deposit(to: Account)
    input Transfer(from_a: bool)
    input Freeze
    input Thaw
    transition deposit_a on Deposit from Open -> stay
        guard to_a: to == A
        guard room_a: a < {n}
    {{
        a += 1
        touched.insert(A)
    }}
    transition deposit_b on Deposit from Open -> stay
        guard to_b: to == B
        guard room_b: b < {n}
    {{
        b += 1
        touched.insert(B)
    }}
    transition transfer_ab on Transfer from Open -> stay
        guard forward: from_a && a > 0 && b < {n}
    {{
        a -= 1
        b += 1
    }}
    transition transfer_ba on Transfer from Open -> stay
        guard backward: !from_a && b > 0 && a < {n}
    {{
        b -= 1
        a += 1
    }}
    transition freeze on Freeze from Open -> Frozen
    transition thaw on Thaw from Frozen -> Open
    invariant bounded: a <= {n} && b <= {n}
    verify {{ max_states 10_000_000 }}
}}
"
    )
}
