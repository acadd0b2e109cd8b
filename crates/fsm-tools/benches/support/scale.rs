//! A spec that grows with a size: `n` inputs, each the trigger of one
//! transition from the initial phase to a terminal one. Written as compactly
//! as the syntax allows (one line per input and its transition), so that
//! the largest size still fits in `fsm_core::MAX_SOURCE_LEN`.

#![allow(dead_code)]

/// The spec with `n` one-transition inputs.
pub fn spec(n: usize) -> String {
    let mut out = String::with_capacity(64 + n * 52);
    out.push_str("machine Scale {\nphases { A, B }\ninitial A\nterminal B\n");
    for i in 0..n {
        out.push_str(&format!("input I{i} transition t{i} on I{i} from A->B\n"));
    }
    out.push_str("}\n");
    out
}

/// The spec with one input and `n` phases in a ring: `n` transitions on
/// the same input, each from its own phase. Names are numbered in base 36
/// so that 80 000 phases fit in `fsm_core::MAX_SOURCE_LEN`.
pub fn ring(n: usize) -> String {
    let mut out = String::with_capacity(64 + n * 48);
    out.push_str("machine Ring {\nphases {");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(" P{}", base36(i)));
    }
    out.push_str(" }\ninitial P0\ninput N\n");
    for i in 0..n {
        let (from, to) = (base36(i), base36((i + 1) % n));
        out.push_str(&format!("transition t_{from} on N from P{from}->P{to}\n"));
    }
    out.push_str("}\n");
    out
}

fn base36(mut i: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[i % 36]);
        i /= 36;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
