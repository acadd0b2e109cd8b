//! The visited-state store: every state as a compact byte encoding in one
//! arena, found again through an open-addressing table of state numbers.
//!
//! A state is its phase and its fields (the key is the same in every state
//! of a run and is not stored), each value written by its type: a `bool`
//! in one byte, integers, phases, variants and lengths as LEB128 varints
//! (signed integers zigzagged), strings and extern values as a length and
//! their bytes, `Option` as a tag byte, collections as a count and their
//! elements. Entries are written back to back, each prefixed by its
//! length.

use crate::eval::{State, Value, View};
use fsm_core::model::{Model, PhaseId, Ty, VariantId};

/// The states seen so far, numbered in insertion order.
pub(crate) struct Store {
    arena: Vec<u8>,
    /// Where each state's entry starts in `arena`.
    offsets: Vec<u32>,
    /// State number + 1, or 0 for an empty slot; the length is a power of
    /// two.
    slots: Vec<u32>,
}

/// Why a state could not be added.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The arena reached 4 GiB or the numbering its end.
    Capacity,
}

impl Store {
    pub fn new() -> Self {
        Store {
            arena: Vec::new(),
            offsets: Vec::new(),
            slots: vec![0; 64],
        }
    }

    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// The bytes the store holds: the arena, the offsets and the table.
    pub fn bytes(&self) -> usize {
        self.arena.len() + self.offsets.len() * 4 + self.slots.len() * 4
    }

    /// The encoding of state number `id`.
    pub fn get(&self, id: usize) -> &[u8] {
        let Some(&start) = self.offsets.get(id) else {
            return &[];
        };
        let mut at = start as usize;
        let len = read_varint(&self.arena, &mut at).unwrap_or(0) as usize;
        self.arena.get(at..at + len).unwrap_or(&[])
    }

    /// The number of the state encoded as `bytes`, if it was added.
    pub fn find(&self, bytes: &[u8]) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut i = (hash(bytes) as usize) & mask;
        loop {
            let slot = *self.slots.get(i)?;
            if slot == 0 {
                return None;
            }
            let id = (slot - 1) as usize;
            if self.get(id) == bytes {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds the state encoded as `bytes`: its number and whether it is new.
    pub fn insert(&mut self, bytes: &[u8]) -> Result<(usize, bool), Full> {
        if let Some(id) = self.find(bytes) {
            return Ok((id, false));
        }
        let id = self.offsets.len();
        let start = u32::try_from(self.arena.len()).map_err(|_| Full::Capacity)?;
        let number = u32::try_from(id + 1).map_err(|_| Full::Capacity)?;
        if (self.arena.len() + bytes.len() + 10) > u32::MAX as usize {
            return Err(Full::Capacity);
        }
        write_varint(&mut self.arena, bytes.len() as u64);
        self.arena.extend_from_slice(bytes);
        self.offsets.push(start);
        if (id + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        self.place(bytes, number);
        Ok((id, true))
    }

    fn place(&mut self, bytes: &[u8], number: u32) {
        let mask = self.slots.len() - 1;
        let mut i = (hash(bytes) as usize) & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if *slot == 0 {
                *slot = number;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots = vec![0; size];
        for id in 0..self.offsets.len() {
            let Ok(number) = u32::try_from(id + 1) else {
                return;
            };
            let bytes = self.get(id).to_vec();
            self.place(&bytes, number);
        }
    }
}

/// A fast non-cryptographic hash of a byte string.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    last[..rest.len()].copy_from_slice(rest);
    h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    h ^ (h >> 29)
}

fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n: u64 = 0;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        if shift >= 64 {
            return None;
        }
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
        shift += 7;
    }
}

/// The encoding of a state (its phase and fields).
pub(crate) fn encode(model: &Model, state: View<'_>, out: &mut Vec<u8>) {
    out.clear();
    write_varint(out, u64::from(state.phase.0));
    for (i, f) in model.fields.iter().enumerate() {
        if let Some(v) = state.field(i) {
            encode_value(v, &f.ty, out);
        }
    }
}

fn encode_value(v: &Value, ty: &Ty, out: &mut Vec<u8>) {
    match (v, ty) {
        (Value::Bool(b), _) => out.push(u8::from(*b)),
        (Value::Int(n), Ty::Int(it)) if !it.is_signed() => write_varint(out, *n as u64),
        (Value::Int(n), _) => {
            let n = *n as i64;
            write_varint(out, ((n << 1) ^ (n >> 63)) as u64);
        }
        (Value::Str(s), _) | (Value::Extern(_, s), _) => {
            write_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        (Value::Phase(p), _) => write_varint(out, u64::from(p.0)),
        (Value::Enum(_, var), _) => write_varint(out, u64::from(var.0)),
        (Value::None, _) => out.push(0),
        (Value::Some(inner), Ty::Option(t)) => {
            out.push(1);
            encode_value(inner, t, out);
        }
        (Value::Some(inner), _) => {
            out.push(1);
            encode_value(inner, ty, out);
        }
        (Value::Set(s), _) => {
            let t = ty.element().unwrap_or(ty);
            write_varint(out, s.len() as u64);
            for x in s {
                encode_value(x, t, out);
            }
        }
        (Value::List(l), _) => {
            let t = ty.element().unwrap_or(ty);
            write_varint(out, l.len() as u64);
            for x in l {
                encode_value(x, t, out);
            }
        }
        (Value::Map(m), _) => {
            let (kt, vt) = match ty {
                Ty::Map(k, v) => (&**k, &**v),
                _ => (ty, ty),
            };
            write_varint(out, m.len() as u64);
            for (k, x) in m {
                encode_value(k, kt, out);
                encode_value(x, vt, out);
            }
        }
    }
}

/// The state encoded as `bytes`, with `key`.
pub(crate) fn decode(model: &Model, bytes: &[u8], key: &Option<Value>) -> Option<State> {
    let mut at = 0;
    let phase = PhaseId(u32::try_from(read_varint(bytes, &mut at)?).ok()?);
    let mut fields = Vec::with_capacity(model.fields.len());
    for f in &model.fields {
        fields.push(decode_value(bytes, &mut at, &f.ty, 0)?);
    }
    Some(State {
        phase,
        key: key.clone(),
        fields,
    })
}

fn decode_value(bytes: &[u8], at: &mut usize, ty: &Ty, depth: usize) -> Option<Value> {
    if depth > 64 {
        return None;
    }
    let d = depth + 1;
    let string = |at: &mut usize| -> Option<String> {
        let len = usize::try_from(read_varint(bytes, at)?).ok()?;
        let s = bytes.get(*at..*at + len)?;
        *at += len;
        String::from_utf8(s.to_vec()).ok()
    };
    Some(match ty {
        Ty::Bool => {
            let b = *bytes.get(*at)?;
            *at += 1;
            Value::Bool(b != 0)
        }
        Ty::Int(it) if !it.is_signed() => Value::Int(i128::from(read_varint(bytes, at)?)),
        Ty::Int(_) => {
            let z = read_varint(bytes, at)?;
            Value::Int(i128::from(((z >> 1) as i64) ^ -((z & 1) as i64)))
        }
        Ty::String => Value::Str(string(at)?),
        Ty::Extern(e) => Value::Extern(*e, string(at)?),
        Ty::Phase => Value::Phase(PhaseId(u32::try_from(read_varint(bytes, at)?).ok()?)),
        Ty::Enum(e) => Value::Enum(*e, VariantId(u32::try_from(read_varint(bytes, at)?).ok()?)),
        Ty::Option(t) => {
            let tag = *bytes.get(*at)?;
            *at += 1;
            if tag == 0 {
                Value::None
            } else {
                Value::Some(Box::new(decode_value(bytes, at, t, d)?))
            }
        }
        Ty::Set(t) => {
            let n = read_varint(bytes, at)?;
            let mut s = std::collections::BTreeSet::new();
            for _ in 0..n {
                s.insert(decode_value(bytes, at, t, d)?);
            }
            Value::Set(s)
        }
        Ty::List(t) => {
            let n = read_varint(bytes, at)?;
            let mut l = Vec::new();
            for _ in 0..n {
                l.push(decode_value(bytes, at, t, d)?);
            }
            Value::List(l)
        }
        Ty::Map(kt, vt) => {
            let n = read_varint(bytes, at)?;
            let mut m = std::collections::BTreeMap::new();
            for _ in 0..n {
                let k = decode_value(bytes, at, kt, d)?;
                let v = decode_value(bytes, at, vt, d)?;
                m.insert(k, v);
            }
            Value::Map(m)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_finds_what_it_holds_across_growth() {
        let mut store = Store::new();
        for i in 0u32..5000 {
            let bytes = i.to_le_bytes();
            assert_eq!(store.insert(&bytes), Ok((i as usize, true)));
        }
        for i in 0u32..5000 {
            assert_eq!(store.find(&i.to_le_bytes()), Some(i as usize));
            assert_eq!(store.get(i as usize), i.to_le_bytes());
        }
        assert_eq!(store.insert(&7u32.to_le_bytes()), Ok((7, false)));
        assert_eq!(store.find(&9999u32.to_le_bytes()), None);
    }

    #[test]
    fn varints_round_trip() {
        for n in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            write_varint(&mut out, n);
            let mut at = 0;
            assert_eq!(read_varint(&out, &mut at), Some(n));
            assert_eq!(at, out.len());
        }
    }
}
