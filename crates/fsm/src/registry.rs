//! One machine instance per key (keyed machines, L10).

use crate::{Machine, Rejection, Step};

/// What applying an input to one machine of `M` returns.
pub type Applied<M> = Result<Step<<M as Machine>::Phase, <M as Machine>::Effect>, Rejection>;
use std::collections::BTreeMap;

/// The instances of a keyed machine, ordered by key.
#[derive(Debug, Clone)]
pub struct Registry<M: Machine> {
    machines: BTreeMap<M::Key, M>,
}

impl<M: Machine> Default for Registry<M> {
    fn default() -> Self {
        Self {
            machines: BTreeMap::new(),
        }
    }
}

impl<M: Machine> Registry<M> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `input` to the machine of `key`, creating it in its initial
    /// state when absent. A rejected input on a new key leaves no entry.
    pub fn apply(&mut self, key: M::Key, input: M::Input) -> Applied<M> {
        match self.machines.get_mut(&key) {
            Some(m) => m.apply(input),
            None => {
                let mut m = M::create(key.clone());
                let step = m.apply(input)?;
                self.machines.insert(key, m);
                Ok(step)
            }
        }
    }

    /// Like [`apply`](Self::apply), then drops the machine when the input
    /// left it in a terminal phase (nothing could leave it again). The step
    /// is returned either way.
    pub fn apply_retiring(&mut self, key: M::Key, input: M::Input) -> Applied<M> {
        let step = self.apply(key.clone(), input)?;
        if self.machines.get(&key).is_some_and(M::is_terminal) {
            self.machines.remove(&key);
        }
        Ok(step)
    }

    /// Applies `input` to an existing machine only; `None` when absent.
    pub fn apply_existing(&mut self, key: &M::Key, input: M::Input) -> Option<Applied<M>> {
        self.machines.get_mut(key).map(|m| m.apply(input))
    }

    pub fn get(&self, key: &M::Key) -> Option<&M> {
        self.machines.get(key)
    }

    pub fn get_mut(&mut self, key: &M::Key) -> Option<&mut M> {
        self.machines.get_mut(key)
    }

    /// Inserts a machine under its own key, returning the one it replaced.
    pub fn insert(&mut self, machine: M) -> Option<M> {
        self.machines.insert(machine.key().clone(), machine)
    }

    pub fn remove(&mut self, key: &M::Key) -> Option<M> {
        self.machines.remove(key)
    }

    pub fn contains(&self, key: &M::Key) -> bool {
        self.machines.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.machines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// The machines in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&M::Key, &M)> {
        self.machines.iter()
    }
}
