//! The comparison of one machine's two checked models.
//!
//! Each kind of definition is matched by name; what is left on both sides
//! is matched by content (a rename), and the rename is written into a copy
//! of the old model, so that everything compared later (expressions, source
//! sets, types, blocks), printed with the old model's names, reads the new
//! names. Kinds are visited so that a definition's content only names
//! definitions visited before it: enums, externs, constants, the key,
//! phases, phase sets, fields, derived values, inputs, effects, guards,
//! actions, transitions, and the rest.

use super::{Aspect, Change, ChangeClass, Op, Subject, classify};
use crate::doc;
use fsm_core::Compilation;
use fsm_core::ast::{self, ItemKind};
use fsm_core::lexer::{self, TokenKind};
use fsm_core::model::{
    BindingTarget, DomainTarget, DomainValues, MethodBinding, Model, Param, Transition, Ty,
};
use fsm_core::pretty::Printer;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The changes from `old` to `new`, in a fixed order (by kind, then as the
/// definitions come in the new spec). Empty unless both compiled.
pub fn compare(old: &Compilation, new: &Compilation) -> Vec<Change> {
    let (Some(old_model), Some(new_model)) = (&old.model, &new.model) else {
        return Vec::new();
    };
    let mut cx = Cx {
        old: old_model.clone(),
        new: new_model,
        old_src: old,
        new_src: new,
        changes: Vec::new(),
        renames: HashMap::new(),
        changed_guards: BTreeSet::new(),
        snapshot_enums: BTreeSet::new(),
        changed_actions: BTreeMap::new(),
        guard_users: BTreeMap::new(),
    };
    cx.snapshot_enums = snapshot_enums(old_model)
        .into_iter()
        .chain(snapshot_enums(new_model))
        .collect();
    cx.machine();
    cx.enums();
    cx.externs();
    cx.consts();
    cx.key();
    cx.phases();
    cx.phase_sets();
    cx.fields();
    cx.derived();
    cx.signatures(Subject::Input);
    cx.signatures(Subject::Effect);
    cx.guards();
    cx.actions();
    cx.transitions();
    cx.users();
    cx.ignores();
    cx.invariants();
    cx.bindings();
    cx.verify();
    let mut changes = cx.changes;
    for c in &mut changes {
        if matches!(c.subject, Subject::Enum | Subject::Variant) {
            // `Enum` or `Enum.Variant`, under its new name or its old one.
            let enum_of = |name: &str| name.split('.').next().unwrap_or("").to_owned();
            let names = [Some(&c.name), c.old_name.as_ref()];
            c.in_snapshot = names
                .into_iter()
                .flatten()
                .any(|n| cx.snapshot_enums.contains(&enum_of(n)));
        }
        c.class = classify(c);
    }
    changes
}

struct Cx<'a> {
    /// The old model, with the renames found so far applied.
    old: Model,
    new: &'a Model,
    old_src: &'a Compilation,
    new_src: &'a Compilation,
    changes: Vec<Change>,
    /// Every rename found: old name → new name (for the tokens of actions).
    renames: HashMap<String, String>,
    /// Machine-level guards whose condition changed: the transitions that
    /// use them are not reported again for it.
    changed_guards: BTreeSet<String>,
    /// The names of the enums a snapshot holds, on either side.
    snapshot_enums: BTreeSet<String>,
    /// Actions whose block or parameters changed: the transitions that run
    /// them, unchanged as written, are reported with the action.
    changed_actions: BTreeMap<String, Vec<String>>,
    /// Machine-level guards added or removed: the transitions that start or
    /// stop using them are reported with the guard.
    guard_users: BTreeMap<String, Vec<String>>,
}

/// How the definitions of one kind pair up.
struct Matching {
    /// (old index, new index), by name and then by content, in new order.
    pairs: Vec<(usize, usize)>,
    /// The pairs found by content: renames.
    renamed: Vec<(usize, usize)>,
    removed: Vec<usize>,
    added: Vec<usize>,
}

/// Pairs definitions by name; then an unpaired old and an unpaired new one
/// whose content (`sig`) is the same, and is the content of no other
/// unpaired one on either side, are a rename.
fn matching(old: &[&str], new: &[&str], old_sig: &[String], new_sig: &[String]) -> Matching {
    let old_index: HashMap<&str, usize> = old.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let new_names: BTreeSet<&str> = new.iter().copied().collect();
    let mut pairs = Vec::new();
    let mut added = Vec::new();
    for (j, name) in new.iter().enumerate() {
        match old_index.get(name) {
            Some(&i) => pairs.push((i, j)),
            None => added.push(j),
        }
    }
    let mut removed: Vec<usize> = (0..old.len())
        .filter(|i| old.get(*i).is_some_and(|n| !new_names.contains(n)))
        .collect();
    // Per content: how many unpaired definitions have it on each side, and
    // the old one (meaningful when there is exactly one).
    let mut old_by_sig: HashMap<&str, (usize, usize)> = HashMap::new();
    for &i in &removed {
        if let Some(sig) = old_sig.get(i) {
            let entry = old_by_sig.entry(sig.as_str()).or_insert((0, i));
            entry.0 += 1;
        }
    }
    let mut new_count: HashMap<&str, usize> = HashMap::new();
    for &j in &added {
        if let Some(sig) = new_sig.get(j) {
            *new_count.entry(sig.as_str()).or_insert(0) += 1;
        }
    }
    let mut renamed = Vec::new();
    for &j in &added {
        let Some(sig) = new_sig.get(j).map(String::as_str) else {
            continue;
        };
        if let (Some(&(1, i)), Some(1)) = (old_by_sig.get(sig), new_count.get(sig).copied()) {
            renamed.push((i, j));
        }
    }
    let renamed_old: BTreeSet<usize> = renamed.iter().map(|(i, _)| *i).collect();
    let renamed_new: BTreeSet<usize> = renamed.iter().map(|(_, j)| *j).collect();
    removed.retain(|i| !renamed_old.contains(i));
    added.retain(|j| !renamed_new.contains(j));
    pairs.extend(renamed.iter().copied());
    pairs.sort_by_key(|(_, j)| *j);
    Matching {
        pairs,
        renamed,
        removed,
        added,
    }
}

fn docs_text(lines: &[String]) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn params_text(model: &Model, params: &[Param]) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|p| format!("{}: {}", p.name, model.ty_name(&p.ty)))
        .collect();
    parts.join(", ")
}

fn ty_enums(ty: &Ty, out: &mut Vec<fsm_core::model::EnumId>) {
    match ty {
        Ty::Enum(id) => out.push(*id),
        Ty::Option(t) | Ty::Set(t) | Ty::List(t) => ty_enums(t, out),
        Ty::Map(k, v) => {
            ty_enums(k, out);
            ty_enums(v, out);
        }
        _ => {}
    }
}

/// The enums reachable from the key's and the fields' types.
fn snapshot_enums(model: &Model) -> BTreeSet<String> {
    let mut ids = Vec::new();
    for ty in model
        .key
        .iter()
        .map(|k| &k.ty)
        .chain(model.fields.iter().map(|f| &f.ty))
    {
        ty_enums(ty, &mut ids);
    }
    ids.into_iter()
        .filter_map(|id| model.enum_def(id).map(|e| e.name.clone()))
        .collect()
}

impl Cx<'_> {
    fn push(&mut self, subject: Subject, op: Op, name: &str) -> &mut Change {
        self.changes.push(Change {
            class: ChangeClass::Behaviour,
            subject,
            op,
            name: name.to_owned(),
            old_name: None,
            aspect: None,
            detail: None,
            before: None,
            after: None,
            in_snapshot: false,
        });
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    fn added(&mut self, subject: Subject, name: &str, after: Option<String>) {
        self.push(subject, Op::Added, name).after = after;
    }

    fn removed(&mut self, subject: Subject, name: &str, before: Option<String>) {
        self.push(subject, Op::Removed, name).before = before;
    }

    fn renamed(&mut self, subject: Subject, old: &str, new: &str) {
        self.renames.insert(old.to_owned(), new.to_owned());
        self.push(subject, Op::Renamed, new).old_name = Some(old.to_owned());
    }

    /// A `changed` entry when `before != after`.
    fn aspect(
        &mut self,
        subject: Subject,
        name: &str,
        aspect: Aspect,
        before: Option<String>,
        after: Option<String>,
    ) {
        if before != after {
            let c = self.push(subject, Op::Changed, name);
            c.aspect = Some(aspect);
            c.before = before;
            c.after = after;
        }
    }

    fn docs(&mut self, subject: Subject, name: &str, old: &[String], new: &[String]) {
        self.aspect(subject, name, Aspect::Docs, docs_text(old), docs_text(new));
    }

    /// `e` printed with the (renamed) old model's names.
    fn old_expr(&self, e: &fsm_core::model::TExpr, params: &[Param]) -> String {
        Printer::new(&self.old).expr(e, params)
    }

    fn new_expr(&self, e: &fsm_core::model::TExpr, params: &[Param]) -> String {
        Printer::new(self.new).expr(e, params)
    }

    fn machine(&mut self) {
        if self.old.name != self.new.name {
            let (old, new) = (self.old.name.clone(), self.new.name.clone());
            self.renamed(Subject::Machine, &old, &new);
            self.old.name = new;
        }
        let name = self.new.name.clone();
        let old_docs = self.old.docs.clone();
        self.docs(Subject::Machine, &name, &old_docs, &self.new.docs.clone());
    }

    fn enums(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            m.enums
                .iter()
                .map(|e| {
                    let v: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
                    format!("{}|{:?}", v.join(","), e.rust_path)
                })
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let on: Vec<String> = self.old.enums.iter().map(|e| e.name.clone()).collect();
        let nn: Vec<&str> = self.new.enums.iter().map(|e| e.name.as_str()).collect();
        let on_ref: Vec<&str> = on.iter().map(String::as_str).collect();
        let m = matching(&on_ref, &nn, &os, &ns);
        let new = self.new;
        for &(i, j) in &m.renamed {
            let new_name = new.enums[j].name.clone();
            self.renamed(Subject::Enum, &on[i], &new_name);
            self.old.enums[i].name = new_name;
        }
        for &i in &m.removed {
            let e = &self.old.enums[i];
            let (name, list) = (e.name.clone(), variant_list(e));
            self.removed(Subject::Enum, &name, Some(list));
        }
        for &j in &m.added {
            let e = &new.enums[j];
            self.added(Subject::Enum, &e.name, Some(variant_list(e)));
        }
        for &(i, j) in &m.pairs {
            let n = &new.enums[j];
            self.variant_renames(i, n);
            let o = self.old.enums[i].clone();
            self.aspect(
                Subject::Enum,
                &n.name,
                Aspect::Variants,
                Some(variant_list(&o)),
                Some(variant_list(n)),
            );
            self.aspect(
                Subject::Enum,
                &n.name,
                Aspect::Path,
                o.rust_path.clone(),
                n.rust_path.clone(),
            );
            self.docs(Subject::Enum, &n.name, &o.docs, &n.docs);
            for v in &n.variants {
                if let Some(ov) = o.variants.iter().find(|ov| ov.name == v.name) {
                    let name = format!("{}.{}", n.name, v.name);
                    self.docs(Subject::Variant, &name, &ov.docs, &v.docs);
                }
            }
        }
    }

    /// Same number of variants, some in the same place under a new name
    /// that was not a variant before, at most half of them: renames.
    fn variant_renames(&mut self, i: usize, new: &fsm_core::model::Enum) {
        let old = &self.old.enums[i];
        if old.variants.len() != new.variants.len() {
            return;
        }
        let old_names: BTreeSet<&str> = old.variants.iter().map(|v| v.name.as_str()).collect();
        let new_names: BTreeSet<&str> = new.variants.iter().map(|v| v.name.as_str()).collect();
        let differing: Vec<usize> = (0..new.variants.len())
            .filter(|k| old.variants[*k].name != new.variants[*k].name)
            .collect();
        let fresh = differing.iter().all(|k| {
            !old_names.contains(new.variants[*k].name.as_str())
                && !new_names.contains(old.variants[*k].name.as_str())
        });
        if differing.is_empty() || !fresh || differing.len() * 2 > new.variants.len() {
            return;
        }
        for k in differing {
            let old_name = format!("{}.{}", new.name, self.old.enums[i].variants[k].name);
            let new_name = format!("{}.{}", new.name, new.variants[k].name);
            self.renames.insert(
                self.old.enums[i].variants[k].name.clone(),
                new.variants[k].name.clone(),
            );
            self.renamed(Subject::Variant, &old_name, &new_name);
            self.old.enums[i].variants[k].name = new.variants[k].name.clone();
        }
    }

    fn externs(&mut self) {
        let os: Vec<String> = self.old.externs.iter().map(|e| e.path.clone()).collect();
        let ns: Vec<String> = self.new.externs.iter().map(|e| e.path.clone()).collect();
        let new = self.new;
        let on: Vec<String> = self.old.externs.iter().map(|e| e.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.externs
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Extern, &on[i], &new.externs[j].name);
            self.old.externs[i].name = new.externs[j].name.clone();
        }
        for &i in &m.removed {
            self.removed(Subject::Extern, &on[i], Some(os[i].clone()));
        }
        for &j in &m.added {
            self.added(Subject::Extern, &new.externs[j].name, Some(ns[j].clone()));
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.externs[i].clone(), &new.externs[j]);
            self.aspect(
                Subject::Extern,
                &n.name,
                Aspect::Path,
                Some(o.path),
                Some(n.path.clone()),
            );
            self.docs(Subject::Extern, &n.name, &o.docs, &n.docs);
        }
    }

    fn matched(&self, old: &[String], new: &[&str], os: &[String], ns: &[String]) -> Matching {
        let old: Vec<&str> = old.iter().map(String::as_str).collect();
        matching(&old, new, os, ns)
    }

    fn consts(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            let p = Printer::new(m);
            m.consts
                .iter()
                .map(|c| format!("{}={}", m.ty_name(&c.ty), p.expr(&c.value, &[])))
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.consts.iter().map(|c| c.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.consts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Const, &on[i], &new.consts[j].name);
            self.old.consts[i].name = new.consts[j].name.clone();
        }
        for &i in &m.removed {
            let c = &self.old.consts[i];
            let text = format!(
                "{} = {}",
                self.old.ty_name(&c.ty),
                self.old_expr(&c.value, &[])
            );
            self.removed(Subject::Const, &on[i], Some(text));
        }
        for &j in &m.added {
            let c = &new.consts[j];
            let text = format!("{} = {}", new.ty_name(&c.ty), self.new_expr(&c.value, &[]));
            self.added(Subject::Const, &c.name, Some(text));
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.consts[i].clone(), &new.consts[j]);
            let types = (self.old.ty_name(&o.ty), new.ty_name(&n.ty));
            self.aspect(
                Subject::Const,
                &n.name,
                Aspect::Type,
                Some(types.0),
                Some(types.1),
            );
            let values = (self.old_expr(&o.value, &[]), self.new_expr(&n.value, &[]));
            self.aspect(
                Subject::Const,
                &n.name,
                Aspect::Value,
                Some(values.0),
                Some(values.1),
            );
            self.docs(Subject::Const, &n.name, &o.docs, &n.docs);
        }
    }

    fn key(&mut self) {
        let new = self.new;
        let old = self.old.key.clone();
        let text = |m: &Model, k: &fsm_core::model::Key| m.ty_name(&k.ty);
        match (&old, &new.key) {
            (None, None) => {}
            (Some(o), None) => {
                let t = text(&self.old, o);
                self.removed(Subject::Key, &o.name, Some(t));
            }
            (None, Some(n)) => self.added(Subject::Key, &n.name, Some(text(new, n))),
            (Some(o), Some(n)) => {
                if o.name != n.name {
                    self.renamed(Subject::Key, &o.name, &n.name);
                    if let Some(k) = &mut self.old.key {
                        k.name = n.name.clone();
                    }
                }
                let types = (self.old.ty_name(&o.ty), new.ty_name(&n.ty));
                self.aspect(
                    Subject::Key,
                    &n.name,
                    Aspect::Type,
                    Some(types.0),
                    Some(types.1),
                );
                self.docs(Subject::Key, &n.name, &o.docs, &n.docs);
            }
        }
    }

    fn phases(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            m.phase_ids()
                .zip(&m.phases)
                .map(|(id, p)| format!("{}|{}|{}", id.index(), p.terminal, id == m.initial))
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.phases.iter().map(|p| p.name.clone()).collect();
        let nn: Vec<&str> = new.phases.iter().map(|p| p.name.as_str()).collect();
        let m = self.matched(&on, &nn, &os, &ns);
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Phase, &on[i], nn[j]);
            self.old.phases[i].name = nn[j].to_owned();
        }
        for &i in &m.removed {
            self.removed(Subject::Phase, &on[i], None);
        }
        for &j in &m.added {
            self.added(Subject::Phase, nn[j], None);
        }
        self.order(Subject::Phase, &m, &nn, |m, i| m.phases[i].name.clone());
        let old_initial = self.old.phase_name(self.old.initial).to_owned();
        let new_initial = new.phase_name(new.initial).to_owned();
        self.aspect(
            Subject::Phase,
            "",
            Aspect::Initial,
            Some(old_initial),
            Some(new_initial),
        );
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.phases[i].clone(), &new.phases[j]);
            let flag = |t: bool| Some(if t { "terminal" } else { "not terminal" }.to_owned());
            self.aspect(
                Subject::Phase,
                &n.name,
                Aspect::Terminal,
                flag(o.terminal),
                flag(n.terminal),
            );
            self.docs(Subject::Phase, &n.name, &o.docs, &n.docs);
        }
    }

    /// An `order` change when the definitions found on both sides are not
    /// in the same order.
    fn order(
        &mut self,
        subject: Subject,
        m: &Matching,
        new_names: &[&str],
        old_name: impl Fn(&Model, usize) -> String,
    ) {
        let mut by_old: Vec<(usize, usize)> = m.pairs.clone();
        by_old.sort_by_key(|(i, _)| *i);
        let old_order: Vec<String> = by_old
            .iter()
            .map(|(i, _)| old_name(&self.old, *i))
            .collect();
        let new_order: Vec<String> = m
            .pairs
            .iter()
            .map(|(_, j)| new_names.get(*j).copied().unwrap_or("?").to_owned())
            .collect();
        if old_order != new_order {
            let c = self.push(subject, Op::Changed, "");
            c.aspect = Some(Aspect::Order);
            c.before = Some(old_order.join(", "));
            c.after = Some(new_order.join(", "));
        }
    }

    fn phase_sets(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            m.phase_sets
                .iter()
                .map(|s| phase_list(m, &s.phases))
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.phase_sets.iter().map(|s| s.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.phase_sets
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::PhaseSet, &on[i], &new.phase_sets[j].name);
            self.old.phase_sets[i].name = new.phase_sets[j].name.clone();
        }
        for &i in &m.removed {
            self.removed(Subject::PhaseSet, &on[i], Some(os[i].clone()));
        }
        for &j in &m.added {
            self.added(
                Subject::PhaseSet,
                &new.phase_sets[j].name,
                Some(ns[j].clone()),
            );
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.phase_sets[i].clone(), &new.phase_sets[j]);
            self.aspect(
                Subject::PhaseSet,
                &n.name,
                Aspect::Phases,
                Some(os[i].clone()),
                Some(ns[j].clone()),
            );
            self.docs(Subject::PhaseSet, &n.name, &o.docs, &n.docs);
        }
    }

    fn fields(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            let p = Printer::new(m);
            m.fields
                .iter()
                .map(|f| format!("{}={}", m.ty_name(&f.ty), p.expr(&f.init, &[])))
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.fields.iter().map(|f| f.name.clone()).collect();
        let nn: Vec<&str> = new.fields.iter().map(|f| f.name.as_str()).collect();
        let m = self.matched(&on, &nn, &os, &ns);
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Field, &on[i], nn[j]);
            self.old.fields[i].name = nn[j].to_owned();
        }
        let text = |m: &Model, f: &fsm_core::model::Field| {
            format!(
                "{} = {}",
                m.ty_name(&f.ty),
                Printer::new(m).expr(&f.init, &[])
            )
        };
        for &i in &m.removed {
            let t = text(&self.old, &self.old.fields[i]);
            self.removed(Subject::Field, &on[i], Some(t));
        }
        for &j in &m.added {
            self.added(Subject::Field, nn[j], Some(text(new, &new.fields[j])));
        }
        self.order(Subject::Field, &m, &nn, |m, i| m.fields[i].name.clone());
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.fields[i].clone(), &new.fields[j]);
            let types = (self.old.ty_name(&o.ty), new.ty_name(&n.ty));
            self.aspect(
                Subject::Field,
                &n.name,
                Aspect::Type,
                Some(types.0),
                Some(types.1),
            );
            let inits = (self.old_expr(&o.init, &[]), self.new_expr(&n.init, &[]));
            self.aspect(
                Subject::Field,
                &n.name,
                Aspect::Value,
                Some(inits.0),
                Some(inits.1),
            );
            self.docs(Subject::Field, &n.name, &o.docs, &n.docs);
        }
    }

    fn derived(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            let p = Printer::new(m);
            m.derived
                .iter()
                .map(|d| format!("{}={}", m.ty_name(&d.ty), p.expr(&d.expr, &[])))
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.derived.iter().map(|d| d.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.derived
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Derived, &on[i], &new.derived[j].name);
            self.old.derived[i].name = new.derived[j].name.clone();
        }
        let text = |m: &Model, d: &fsm_core::model::Derived| {
            format!(
                "{} = {}",
                m.ty_name(&d.ty),
                Printer::new(m).expr(&d.expr, &[])
            )
        };
        for &i in &m.removed {
            let t = text(&self.old, &self.old.derived[i]);
            self.removed(Subject::Derived, &on[i], Some(t));
        }
        for &j in &m.added {
            self.added(
                Subject::Derived,
                &new.derived[j].name,
                Some(text(new, &new.derived[j])),
            );
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.derived[i].clone(), &new.derived[j]);
            let types = (self.old.ty_name(&o.ty), new.ty_name(&n.ty));
            self.aspect(
                Subject::Derived,
                &n.name,
                Aspect::Type,
                Some(types.0),
                Some(types.1),
            );
            let exprs = (self.old_expr(&o.expr, &[]), self.new_expr(&n.expr, &[]));
            self.aspect(
                Subject::Derived,
                &n.name,
                Aspect::Expr,
                Some(exprs.0),
                Some(exprs.1),
            );
            self.docs(Subject::Derived, &n.name, &o.docs, &n.docs);
        }
    }

    /// Inputs or effects.
    fn signatures(&mut self, subject: Subject) {
        let list = |m: &Model| -> Vec<fsm_core::model::Signature> {
            if subject == Subject::Input {
                m.inputs.clone()
            } else {
                m.effects.clone()
            }
        };
        let (old, new) = (list(&self.old), list(self.new));
        let os: Vec<String> = old
            .iter()
            .map(|s| params_text(&self.old, &s.params))
            .collect();
        let ns: Vec<String> = new
            .iter()
            .map(|s| params_text(self.new, &s.params))
            .collect();
        let on: Vec<String> = old.iter().map(|s| s.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(subject, &on[i], &new[j].name);
            sigs_mut(&mut self.old, subject)[i].name = new[j].name.clone();
        }
        let show = |params: &str| (!params.is_empty()).then(|| format!("({params})"));
        for &i in &m.removed {
            self.removed(subject, &on[i], show(&os[i]));
        }
        for &j in &m.added {
            self.added(subject, &new[j].name, show(&ns[j]));
        }
        for &(i, j) in &m.pairs {
            let n = &new[j];
            self.param_renames(subject, i, n);
            let o = sigs_mut(&mut self.old, subject)[i].clone();
            let params = (
                params_text(&self.old, &o.params),
                params_text(self.new, &n.params),
            );
            let wrap = |p: String| Some(format!("({p})"));
            self.aspect(
                subject,
                &n.name,
                Aspect::Params,
                wrap(params.0),
                wrap(params.1),
            );
            self.docs(subject, &n.name, &o.docs, &n.docs);
            for p in &n.params {
                if let Some(op) = o.params.iter().find(|op| op.name == p.name) {
                    let name = format!("{}.{}", n.name, p.name);
                    self.docs(Subject::Param, &name, &op.docs, &p.docs);
                }
            }
        }
    }

    /// Same parameter types in the same order, some names changed:
    /// renamed parameters.
    fn param_renames(&mut self, subject: Subject, i: usize, new: &fsm_core::model::Signature) {
        let old = if subject == Subject::Input {
            &self.old.inputs[i]
        } else {
            &self.old.effects[i]
        };
        let same_types = old.params.len() == new.params.len()
            && old
                .params
                .iter()
                .zip(&new.params)
                .all(|(a, b)| self.old.ty_name(&a.ty) == self.new.ty_name(&b.ty));
        if !same_types {
            return;
        }
        let renamed: Vec<(usize, String, String)> = old
            .params
            .iter()
            .zip(&new.params)
            .enumerate()
            .filter(|(_, (a, b))| a.name != b.name)
            .map(|(k, (a, b))| (k, a.name.clone(), b.name.clone()))
            .collect();
        for (k, from, to) in renamed {
            self.renamed(
                Subject::Param,
                &format!("{}.{from}", new.name),
                &format!("{}.{to}", new.name),
            );
            let list = if subject == Subject::Input {
                &mut self.old.inputs[i]
            } else {
                &mut self.old.effects[i]
            };
            list.params[k].name = to;
        }
    }

    fn guards(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            let p = Printer::new(m);
            m.guards
                .iter()
                .map(|g| {
                    format!(
                        "{}|{}",
                        params_text(m, &g.params),
                        p.expr(&g.expr, &g.params)
                    )
                })
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.guards.iter().map(|g| g.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.guards
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Guard, &on[i], &new.guards[j].name);
            self.old.guards[i].name = new.guards[j].name.clone();
        }
        for &i in &m.removed {
            let g = &self.old.guards[i];
            let t = self.old_expr(&g.expr, &g.params);
            self.removed(Subject::Guard, &on[i], Some(t));
            self.guard_users.insert(on[i].clone(), Vec::new());
        }
        for &j in &m.added {
            let g = &new.guards[j];
            self.added(
                Subject::Guard,
                &g.name,
                Some(self.new_expr(&g.expr, &g.params)),
            );
            self.guard_users.insert(g.name.clone(), Vec::new());
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.guards[i].clone(), &new.guards[j]);
            let params = (
                params_text(&self.old, &o.params),
                params_text(new, &n.params),
            );
            self.aspect(
                Subject::Guard,
                &n.name,
                Aspect::Params,
                Some(params.0),
                Some(params.1),
            );
            let exprs = (
                self.old_expr(&o.expr, &o.params),
                self.new_expr(&n.expr, &n.params),
            );
            if exprs.0 != exprs.1 {
                self.changed_guards.insert(n.name.clone());
            }
            self.aspect(
                Subject::Guard,
                &n.name,
                Aspect::Expr,
                Some(exprs.0),
                Some(exprs.1),
            );
            self.docs(Subject::Guard, &n.name, &o.docs, &n.docs);
        }
    }

    /// Actions are inlined in the model, so what a changed action does is
    /// seen in the transitions that run it; here they are compared as
    /// written (their tokens, comments and layout left out, renamed names
    /// read under their new name).
    fn actions(&mut self) {
        let old = actions_of(self.old_src, &self.renames);
        let new = actions_of(self.new_src, &HashMap::new());
        let os: Vec<String> = old.iter().map(|a| a.content()).collect();
        let ns: Vec<String> = new.iter().map(|a| a.content()).collect();
        let on: Vec<String> = old.iter().map(|a| a.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Action, &on[i], &new[j].name);
        }
        for &i in &m.removed {
            self.removed(Subject::Action, &on[i], Some(old[i].body.clone()));
        }
        for &j in &m.added {
            self.added(Subject::Action, &new[j].name, Some(new[j].body.clone()));
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (&old[i], &new[j]);
            self.aspect(
                Subject::Action,
                &n.name,
                Aspect::Params,
                Some(o.params.clone()),
                Some(n.params.clone()),
            );
            if o.params != n.params || o.tokens != n.tokens {
                self.changed_actions.insert(n.name.clone(), Vec::new());
            }
            if o.tokens != n.tokens {
                let c = self.push(Subject::Action, Op::Changed, &n.name);
                c.aspect = Some(Aspect::Block);
                c.before = Some(o.body.clone());
                c.after = Some(n.body.clone());
            }
            self.docs(Subject::Action, &n.name, &o.docs, &n.docs);
        }
    }

    fn transitions(&mut self) {
        // Printed once per side (one printer each), so comparing costs the
        // size of the transitions, not transitions × phases.
        let (old_shown, new_shown) = (shown(&self.old), shown(self.new));
        let os: Vec<String> = old_shown.iter().map(Shown::sig).collect();
        let ns: Vec<String> = new_shown.iter().map(Shown::sig).collect();
        let new = self.new;
        let on: Vec<String> = self
            .old
            .transitions
            .iter()
            .map(|t| t.name.clone())
            .collect();
        let nn: Vec<&str> = new.transitions.iter().map(|t| t.name.as_str()).collect();
        let m = self.matched(&on, &nn, &os, &ns);
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Transition, &on[i], nn[j]);
            self.old.transitions[i].name = nn[j].to_owned();
        }
        for &i in &m.removed {
            self.removed(Subject::Transition, &on[i], Some(old_shown[i].written()));
        }
        for &j in &m.added {
            self.added(Subject::Transition, nn[j], Some(new_shown[j].written()));
        }
        let old_written = transitions_written(self.old_src, &self.renames);
        let new_written = transitions_written(self.new_src, &HashMap::new());
        for &(i, j) in &m.pairs {
            let name = nn[j];
            // Written the same way, running an action that changed: what
            // changed is the action, reported once, with its users.
            let (ow, nw) = (old_written.get(&on[i]), new_written.get(name));
            let runs_changed: Vec<String> = nw
                .map(|w| {
                    w.runs
                        .iter()
                        .filter(|a| self.changed_actions.contains_key(*a))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let same_text = matches!((ow, nw), (Some(a), Some(b)) if a.tokens == b.tokens);
            let through_action = same_text && !runs_changed.is_empty();
            for action in &runs_changed {
                if through_action && let Some(users) = self.changed_actions.get_mut(action) {
                    users.push(name.to_owned());
                }
            }
            self.transition(name, &old_shown[i], &new_shown[j], through_action);
            let docs = (&self.old.transitions[i].docs, &new.transitions[j].docs);
            if docs.0 != docs.1 {
                let old_docs = docs.0.clone();
                self.docs(Subject::Transition, name, &old_docs, docs.1);
            }
        }
    }

    /// Names, on each changed action's block and each added or removed
    /// machine-level guard, the transitions it concerns.
    fn users(&mut self) {
        for c in &mut self.changes {
            let users = match (c.subject, c.op, c.aspect) {
                (Subject::Action, Op::Changed, Some(Aspect::Block)) => {
                    self.changed_actions.get(&c.name)
                }
                (Subject::Guard, Op::Added | Op::Removed, None) => self.guard_users.get(&c.name),
                _ => None,
            };
            if let Some(users) = users.filter(|u| !u.is_empty()) {
                c.detail = Some(users.join(", "));
            }
        }
    }

    /// Compares two transitions; `through_action` when their blocks differ
    /// only by the actions they run (then neither the block nor the
    /// effects are reported here).
    fn transition(&mut self, name: &str, o: &Shown, n: &Shown, through_action: bool) {
        let t = Subject::Transition;
        self.aspect(
            t,
            name,
            Aspect::Input,
            Some(o.input.clone()),
            Some(n.input.clone()),
        );
        self.aspect(
            t,
            name,
            Aspect::Sources,
            Some(o.sources.clone()),
            Some(n.sources.clone()),
        );
        self.aspect(
            t,
            name,
            Aspect::Target,
            Some(o.target.clone()),
            Some(n.target.clone()),
        );
        self.transition_guards(name, &o.guards, &n.guards);
        if through_action {
            return;
        }
        if o.body != n.body {
            let c = self.push(t, Op::Changed, name);
            c.aspect = Some(Aspect::Block);
            c.before = (!o.body.is_empty()).then(|| o.body.clone());
            c.after = (!n.body.is_empty()).then(|| n.body.clone());
        }
        self.aspect(t, name, Aspect::Effects, o.emits.clone(), n.emits.clone());
    }

    fn transition_guards(&mut self, name: &str, old: &[ShownGuard], new: &[ShownGuard]) {
        let os: Vec<String> = old.iter().map(|g| g.expr.clone()).collect();
        let ns: Vec<String> = new.iter().map(|g| g.expr.clone()).collect();
        let on: Vec<String> = old.iter().map(|g| g.name.clone()).collect();
        let nn: Vec<&str> = new.iter().map(|g| g.name.as_str()).collect();
        let m = self.matched(&on, &nn, &os, &ns);
        let guard_change =
            |this: &mut Self, detail: &str, before: Option<String>, after: Option<String>| {
                let c = this.push(Subject::Transition, Op::Changed, name);
                c.aspect = Some(Aspect::Guard);
                c.detail = Some(detail.to_owned());
                c.before = before;
                c.after = after;
            };
        for &(i, j) in &m.renamed {
            let c = self.push(Subject::Transition, Op::Changed, name);
            c.aspect = Some(Aspect::GuardName);
            c.before = Some(old[i].name.clone());
            c.after = Some(new[j].name.clone());
        }
        // A machine-level guard added or removed is reported once, as that
        // guard, with the transitions that use it.
        let users_of = |this: &mut Self, guard: &ShownGuard| -> bool {
            match this
                .guard_users
                .get_mut(&guard.name)
                .filter(|_| guard.machine)
            {
                Some(users) => {
                    users.push(name.to_owned());
                    true
                }
                None => false,
            }
        };
        for &i in &m.removed {
            if !users_of(self, &old[i]) {
                guard_change(self, &old[i].name, Some(old[i].expr.clone()), None);
            }
        }
        for &j in &m.added {
            if !users_of(self, &new[j]) {
                guard_change(self, &new[j].name, None, Some(new[j].expr.clone()));
            }
        }
        for &(i, j) in &m.pairs {
            let (og, ng) = (&old[i], &new[j]);
            if m.renamed.contains(&(i, j)) || og.expr == ng.expr {
                continue;
            }
            // A machine-level guard whose condition changed is reported
            // once, as that guard.
            if og.machine && ng.machine && self.changed_guards.contains(&ng.name) {
                continue;
            }
            guard_change(self, &ng.name, Some(og.expr.clone()), Some(ng.expr.clone()));
        }
    }

    fn ignores(&mut self) {
        let list = |m: &Model| -> BTreeMap<String, String> {
            m.ignores
                .iter()
                .map(|ig| {
                    let input = m
                        .input(ig.input)
                        .map_or("?", |i| i.name.as_str())
                        .to_owned();
                    (input, phase_list(m, &ig.phases))
                })
                .collect()
        };
        let (old, new) = (list(&self.old), list(self.new));
        self.keyed(Subject::Ignore, Aspect::Phases, &old, &new);
    }

    /// Entries keyed by name: added, removed, or changed in one aspect.
    fn keyed(
        &mut self,
        subject: Subject,
        aspect: Aspect,
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
    ) {
        for (name, before) in old {
            match new.get(name) {
                None => self.removed(subject, name, Some(before.clone())),
                Some(after) => self.aspect(
                    subject,
                    name,
                    aspect,
                    Some(before.clone()),
                    Some(after.clone()),
                ),
            }
        }
        for (name, after) in new {
            if !old.contains_key(name) {
                self.added(subject, name, Some(after.clone()));
            }
        }
    }

    fn invariants(&mut self) {
        let sig = |m: &Model| -> Vec<String> {
            let p = Printer::new(m);
            m.invariants
                .iter()
                .map(|inv| {
                    format!(
                        "{}{}",
                        if inv.always { "always " } else { "" },
                        p.expr(&inv.expr, &[])
                    )
                })
                .collect()
        };
        let (os, ns) = (sig(&self.old), sig(self.new));
        let new = self.new;
        let on: Vec<String> = self.old.invariants.iter().map(|i| i.name.clone()).collect();
        let m = self.matched(
            &on,
            &new.invariants
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>(),
            &os,
            &ns,
        );
        for &(i, j) in &m.renamed {
            self.renamed(Subject::Invariant, &on[i], &new.invariants[j].name);
        }
        for &i in &m.removed {
            self.removed(Subject::Invariant, &on[i], Some(os[i].clone()));
        }
        for &j in &m.added {
            self.added(
                Subject::Invariant,
                &new.invariants[j].name,
                Some(ns[j].clone()),
            );
        }
        for &(i, j) in &m.pairs {
            let (o, n) = (self.old.invariants[i].clone(), &new.invariants[j]);
            let exprs = (self.old_expr(&o.expr, &[]), self.new_expr(&n.expr, &[]));
            self.aspect(
                Subject::Invariant,
                &n.name,
                Aspect::Expr,
                Some(exprs.0),
                Some(exprs.1),
            );
            let flag = |a: bool| Some(if a { "every build" } else { "debug builds" }.to_owned());
            self.aspect(
                Subject::Invariant,
                &n.name,
                Aspect::Always,
                flag(o.always),
                flag(n.always),
            );
            self.docs(Subject::Invariant, &n.name, &o.docs, &n.docs);
        }
    }

    fn bindings(&mut self) {
        let new = self.new;
        let old = self.old.bindings.clone();
        for o in &old {
            if !new.bindings.iter().any(|n| n.trait_name == o.trait_name) {
                let methods = o
                    .methods
                    .iter()
                    .map(|mb| method_line(&self.old, mb))
                    .collect::<Vec<_>>();
                self.removed(Subject::Binding, &o.trait_name, Some(methods.join("\n")));
            }
        }
        for n in &new.bindings {
            let Some(o) = old.iter().find(|o| o.trait_name == n.trait_name) else {
                let methods = n
                    .methods
                    .iter()
                    .map(|mb| method_line(new, mb))
                    .collect::<Vec<_>>();
                self.added(Subject::Binding, &n.trait_name, Some(methods.join("\n")));
                continue;
            };
            self.docs(Subject::Binding, &n.trait_name, &o.docs, &n.docs);
            let lines = |m: &Model,
                         b: &fsm_core::model::Binding|
             -> BTreeMap<String, (String, Vec<String>)> {
                b.methods
                    .iter()
                    .map(|mb| (mb.name.clone(), (method_line(m, mb), mb.docs.clone())))
                    .collect()
            };
            let (ol, nl) = (lines(&self.old, o), lines(new, n));
            let method_change = |this: &mut Self,
                                 method: &str,
                                 before: Option<String>,
                                 after: Option<String>,
                                 aspect: Aspect| {
                if before != after {
                    let c = this.push(Subject::Binding, Op::Changed, &n.trait_name);
                    c.aspect = Some(aspect);
                    c.detail = Some(method.to_owned());
                    c.before = before;
                    c.after = after;
                }
            };
            for (method, (line, docs)) in &ol {
                let (after, new_docs) = nl
                    .get(method)
                    .map_or((None, None), |(l, d)| (Some(l.clone()), Some(d)));
                method_change(self, method, Some(line.clone()), after, Aspect::Method);
                if let Some(new_docs) = new_docs {
                    method_change(
                        self,
                        method,
                        docs_text(docs),
                        docs_text(new_docs),
                        Aspect::Docs,
                    );
                }
            }
            for (method, (line, _)) in &nl {
                if !ol.contains_key(method) {
                    method_change(self, method, None, Some(line.clone()), Aspect::Method);
                }
            }
        }
    }

    fn verify(&mut self) {
        let (old, new) = (verify_settings(&self.old), verify_settings(self.new));
        self.keyed(Subject::Verify, Aspect::Setting, &old, &new);
    }
}

fn sigs_mut(m: &mut Model, subject: Subject) -> &mut Vec<fsm_core::model::Signature> {
    if subject == Subject::Input {
        &mut m.inputs
    } else {
        &mut m.effects
    }
}

/// `phase A | B` style list of phase names.
fn phase_list(m: &Model, phases: &[fsm_core::model::PhaseId]) -> String {
    let names: Vec<&str> = phases.iter().map(|p| m.phase_name(*p)).collect();
    names.join(" | ")
}

fn variant_list(e: &fsm_core::model::Enum) -> String {
    let names: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
    names.join(", ")
}

fn input_params<'m>(m: &'m Model, t: &Transition) -> &'m [Param] {
    m.input(t.input).map_or(&[][..], |i| &i.params[..])
}

/// A transition printed in spec syntax.
struct Shown {
    input: String,
    /// Compact (`*`, `* except A`, `A | B`).
    sources: String,
    /// A phase or `stay`.
    target: String,
    guards: Vec<ShownGuard>,
    /// One statement per line.
    body: String,
    /// The effects it may emit, in order, each once.
    emits: Option<String>,
}

/// One guard line of a transition.
struct ShownGuard {
    name: String,
    expr: String,
    /// It names a machine-level guard.
    machine: bool,
}

impl Shown {
    /// `on Input from Sources -> Target`.
    fn header(&self) -> String {
        format!("on {} from {} -> {}", self.input, self.sources, self.target)
    }

    /// Its content, for finding renames: everything but its name and docs.
    fn sig(&self) -> String {
        let guards: Vec<String> = self
            .guards
            .iter()
            .map(|g| format!("{}:{}", g.name, g.expr))
            .collect();
        format!("{}|{}|{}", self.header(), guards.join(";"), self.body)
    }

    /// The whole transition: its header, then its guard lines and its
    /// block, as in the spec.
    fn written(&self) -> String {
        let mut lines = vec![self.header()];
        for g in &self.guards {
            lines.push(format!("    guard {}: {}", g.name, g.expr));
        }
        if !self.body.is_empty() {
            lines.push("{".to_owned());
            lines.extend(self.body.lines().map(|l| format!("    {l}")));
            lines.push("}".to_owned());
        }
        lines.join("\n")
    }
}

/// Every transition of `m`, printed with one printer.
fn shown(m: &Model) -> Vec<Shown> {
    let p = Printer::new(m);
    m.transitions
        .iter()
        .map(|t| {
            let params = input_params(m, t);
            let emitted = doc::emitted(m, t);
            Shown {
                input: m.input(t.input).map_or("?", |i| i.name.as_str()).to_owned(),
                sources: doc::sources(m, &t.sources),
                target: t.target.map_or("stay", |p| m.phase_name(p)).to_owned(),
                guards: t
                    .guards
                    .iter()
                    .map(|g| ShownGuard {
                        name: g.name.clone(),
                        expr: p.expr(&g.expr, params),
                        machine: g.machine_guard.is_some(),
                    })
                    .collect(),
                body: p.stmts(&t.body, params).join("\n"),
                emits: (!emitted.is_empty()).then(|| emitted.join(", ")),
            }
        })
        .collect()
}

/// `fn name(params) = Target(args)`.
fn method_line(m: &Model, mb: &MethodBinding) -> String {
    let params = if mb.params.is_empty() {
        String::new()
    } else {
        format!("({})", mb.params.join(", "))
    };
    let target = match mb.target {
        BindingTarget::Input(id) => {
            let name = m.input(id).map_or("?", |i| i.name.as_str()).to_owned();
            match &mb.args {
                None => name,
                Some(args) => {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| {
                            let mut path = vec![
                                mb.params
                                    .get(a.param)
                                    .map_or("?", String::as_str)
                                    .to_owned(),
                            ];
                            path.extend(a.fields.iter().cloned());
                            path.join(".")
                        })
                        .collect();
                    format!("{name}({})", args.join(", "))
                }
            }
        }
        BindingTarget::Snapshot => "snapshot".to_owned(),
        BindingTarget::Phase => "phase".to_owned(),
        BindingTarget::Field(id) => {
            format!("field {}", m.field(id).map_or("?", |f| f.name.as_str()))
        }
        BindingTarget::Derived(id) => format!(
            "derive {}",
            m.derived_value(id).map_or("?", |d| d.name.as_str())
        ),
    };
    format!("fn {}{params} = {target}", mb.name)
}

/// Every `verify` setting by what it sets: `max_depth`, `domain u64`,
/// `reach name`, `always_possible name`, `bound` (all bounds, in order),
/// `allow_overflow`, …
fn verify_settings(m: &Model) -> BTreeMap<String, String> {
    let p = Printer::new(m);
    let v = &m.verify;
    let mut out = BTreeMap::new();
    let bounds = [
        ("max_depth", v.max_depth),
        ("max_states", v.max_states),
        ("max_collection", v.max_collection),
    ];
    for (name, value) in bounds {
        if let Some(value) = value {
            out.insert(name.to_owned(), value.to_string());
        }
    }
    for d in &v.domains {
        let target = match &d.target {
            DomainTarget::Type(ty) => m.ty_name(ty),
            DomainTarget::Param { input, param } => {
                let input = m.input(*input);
                let param = input
                    .and_then(|i| i.param(*param))
                    .map_or("?", |p| p.name.as_str());
                format!("{}.{param}", input.map_or("?", |i| i.name.as_str()))
            }
        };
        let values = match &d.values {
            DomainValues::Range { lo, hi } => format!("{lo}..={hi}"),
            DomainValues::List(items) => {
                let items: Vec<String> = items.iter().map(|e| p.expr(e, &[])).collect();
                format!("[{}]", items.join(", "))
            }
        };
        out.entry(format!("domain {target}")).or_insert(values);
    }
    for r in &v.reach {
        out.insert(format!("reach {}", r.name), p.expr(&r.expr, &[]));
    }
    for r in &v.always_possible {
        out.insert(format!("always_possible {}", r.name), p.expr(&r.expr, &[]));
    }
    if !v.bounds.is_empty() {
        let bounds: Vec<String> = v.bounds.iter().map(|b| p.expr(&b.expr, &[])).collect();
        out.insert("bound".to_owned(), bounds.join("; "));
    }
    if !v.allow_overflow.is_empty() {
        let names: Vec<&str> = v
            .allow_overflow
            .iter()
            .map(|t| m.transition(*t).map_or("?", |t| t.name.as_str()))
            .collect();
        out.insert("allow_overflow".to_owned(), names.join(", "));
    }
    out
}

/// A transition as written: its block's tokens (comments left out, names
/// renamed) and the actions it runs, directly or through other actions.
struct TransitionText {
    tokens: Vec<String>,
    runs: BTreeSet<String>,
}

/// The text of the tokens of `tokens` (the file's, in order) inside
/// `span`.
fn block_tokens(
    c: &Compilation,
    tokens: &[lexer::Token],
    span: fsm_core::Span,
    renames: &HashMap<String, String>,
) -> Vec<String> {
    let first = tokens.partition_point(|t| t.span.start < span.start);
    tokens
        .get(first..)
        .unwrap_or(&[])
        .iter()
        .take_while(|t| t.span.end <= span.end)
        .filter(|t| !t.kind.is_trivia())
        .map(|t| {
            let raw = c.source.slice(t.span);
            match &t.kind {
                TokenKind::Ident => renames.get(raw).cloned().unwrap_or_else(|| raw.to_owned()),
                TokenKind::Int(v) => v.to_string(),
                TokenKind::Str(s) => format!("{s:?}"),
                _ => raw.to_owned(),
            }
        })
        .collect()
}

/// The actions `stmts` run with `do`.
fn does(stmts: &[ast::Stmt], out: &mut BTreeSet<String>) {
    for stmt in stmts {
        match &stmt.kind {
            ast::StmtKind::Do { action, .. } => {
                out.insert(action.name.clone());
            }
            ast::StmtKind::If {
                then, otherwise, ..
            } => {
                does(&then.stmts, out);
                let mut next = otherwise.as_ref();
                while let Some(e) = next {
                    match e {
                        ast::Else::Block(b) => {
                            does(&b.stmts, out);
                            next = None;
                        }
                        ast::Else::If(s) => {
                            does(std::slice::from_ref(s.as_ref()), out);
                            next = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn transitions_written(
    c: &Compilation,
    renames: &HashMap<String, String>,
) -> HashMap<String, TransitionText> {
    let Some(file) = &c.ast else {
        return HashMap::new();
    };
    let items = || file.machines.iter().flat_map(|m| &m.items);
    let mut action_calls: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for item in items() {
        if let ItemKind::Action(a) = &item.kind {
            let mut calls = BTreeSet::new();
            does(&a.body.stmts, &mut calls);
            action_calls.insert(&a.name.name, calls);
        }
    }
    let (tokens, _) = lexer::lex(c.source.text());
    let mut out = HashMap::new();
    for item in items() {
        let ItemKind::Transition(t) = &item.kind else {
            continue;
        };
        let mut runs = BTreeSet::new();
        if let Some(body) = &t.body {
            does(&body.stmts, &mut runs);
        }
        // The closure over actions that run actions (no cycles: FSM0311).
        let mut todo: Vec<String> = runs.iter().cloned().collect();
        while let Some(a) = todo.pop() {
            for called in action_calls.get(a.as_str()).into_iter().flatten() {
                if runs.insert(called.clone()) {
                    todo.push(called.clone());
                }
            }
        }
        let tokens = t
            .body
            .as_ref()
            .map(|b| block_tokens(c, &tokens, b.span, renames))
            .unwrap_or_default();
        let name = renames
            .get(&t.name.name)
            .cloned()
            .unwrap_or_else(|| t.name.name.clone());
        let runs = runs
            .into_iter()
            .map(|a| renames.get(&a).cloned().unwrap_or(a))
            .collect();
        out.insert(name, TransitionText { tokens, runs });
    }
    out
}

/// An action as written.
struct ActionText {
    name: String,
    docs: Vec<String>,
    params: String,
    /// The text of the body's tokens (comments left out), names renamed.
    tokens: Vec<String>,
    /// The block as written, without its braces, dedented.
    body: String,
}

impl ActionText {
    fn content(&self) -> String {
        format!("{}|{}", self.params, self.tokens.join(" "))
    }
}

fn actions_of(c: &Compilation, renames: &HashMap<String, String>) -> Vec<ActionText> {
    let Some(file) = &c.ast else {
        return Vec::new();
    };
    let (tokens, _) = lexer::lex(c.source.text());
    let mut out = Vec::new();
    for machine in &file.machines {
        for item in &machine.items {
            let ItemKind::Action(action) = &item.kind else {
                continue;
            };
            let span = action.body.span;
            let body_tokens = block_tokens(c, &tokens, span, renames);
            let params: Vec<String> = action
                .params
                .iter()
                .map(|p| format!("{}: {}", p.name.name, type_text(&p.ty)))
                .collect();
            out.push(ActionText {
                name: renames
                    .get(&action.name.name)
                    .cloned()
                    .unwrap_or_else(|| action.name.name.clone()),
                docs: item.docs.lines.clone(),
                params: params.join(", "),
                tokens: body_tokens,
                body: dedent(c.source.slice(span)),
            });
        }
    }
    out
}

fn type_text(t: &ast::TypeExpr) -> String {
    if t.args.is_empty() {
        return t.name.name.clone();
    }
    let args: Vec<String> = t.args.iter().map(type_text).collect();
    format!("{}<{}>", t.name.name, args.join(", "))
}

/// A block's text without its braces, its common indentation removed.
fn dedent(block: &str) -> String {
    let inner = block.trim();
    let inner = inner.strip_prefix('{').unwrap_or(inner);
    let inner = inner.strip_suffix('}').unwrap_or(inner);
    let lines: Vec<&str> = inner.lines().filter(|l| !l.trim().is_empty()).collect();
    let indent = lines
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()).trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}
