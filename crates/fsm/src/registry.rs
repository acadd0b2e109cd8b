//! One machine instance per key (keyed machines, L10).

use crate::{Machine, Rejection, Step};
use std::collections::BTreeMap;

/// The instances of a keyed machine, ordered by key.
#[derive(Debug, Clone)]
pub struct Registry<K, M> {
    machines: BTreeMap<K, M>,
}

impl<K, M> Default for Registry<K, M> {
    fn default() -> Self {
        Self {
            machines: BTreeMap::new(),
        }
    }
}

impl<K: Ord, M: Machine> Registry<K, M> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `input` to the machine of `key`, creating it in its initial
    /// state when absent. A rejected input on a new key leaves no entry.
    pub fn apply(
        &mut self,
        key: K,
        input: M::Input,
    ) -> Result<Step<M::Phase, M::Effect>, Rejection> {
        match self.machines.get_mut(&key) {
            Some(m) => m.apply(input),
            None => {
                let mut m = M::new();
                let step = m.apply(input)?;
                self.machines.insert(key, m);
                Ok(step)
            }
        }
    }

    /// Applies `input` to an existing machine only; `None` when absent.
    pub fn apply_existing(
        &mut self,
        key: &K,
        input: M::Input,
    ) -> Option<Result<Step<M::Phase, M::Effect>, Rejection>> {
        self.machines.get_mut(key).map(|m| m.apply(input))
    }

    pub fn get(&self, key: &K) -> Option<&M> {
        self.machines.get(key)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut M> {
        self.machines.get_mut(key)
    }

    /// Inserts a machine, returning the one it replaced.
    pub fn insert(&mut self, key: K, machine: M) -> Option<M> {
        self.machines.insert(key, machine)
    }

    pub fn remove(&mut self, key: &K) -> Option<M> {
        self.machines.remove(key)
    }

    pub fn contains(&self, key: &K) -> bool {
        self.machines.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.machines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// The machines in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &M)> {
        self.machines.iter()
    }
}
