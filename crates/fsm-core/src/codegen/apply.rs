//! `apply`: a `match` on the input, then on the phase, then the candidate
//! transitions in declaration order; and one private `__fire_<transition>`
//! method per transition that runs its block.
//!
//! Selection (see "Semantics" in the language reference): the candidates
//! for (input, phase) are tried in declaration order; the first whose guards
//! all hold fires. When none does, the rejection names the first failing
//! guard of the first candidate. Guards are evaluated against the state
//! before the transition, borrowing the parameters; the chosen transition
//! then takes the parameters its block reads by value.
//!
//! Atomicity: a transition copies (or clones) the fields its block writes
//! into locals, runs the block on them, and commits with `mem::swap` only at
//! the end, so an overflow part-way leaves the machine untouched. When
//! `::fsm::CHECK_INVARIANTS` is on, the invariants are checked after the
//! commit and a violation swaps the old values back. A block that cannot
//! overflow writes the machine directly when invariant checks are off,
//! which saves cloning collections.

use super::Gen;
use super::expr::{Prec, Scope, State, field_local, param_local};
use super::names;
use crate::model::{
    AssignOp, FieldId, InputId, ParamId, PhaseId, TExprKind, TStmt, TStmtKind, Transition,
    TransitionId,
};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a transition's block does, as far as codegen cares.
struct BlockFacts {
    /// Fields the block writes.
    writes: BTreeSet<FieldId>,
    /// How often the block reads each parameter.
    param_reads: BTreeMap<ParamId, usize>,
    /// Whether any statement can overflow.
    fallible: bool,
    /// The most effects one run of the block emits.
    max_emits: usize,
    /// Whether a written field is assigned with `=` (its staged copy may be
    /// overwritten before it is read).
    assigns: bool,
}

impl Gen<'_> {
    fn block_facts(&self, body: &[TStmt]) -> BlockFacts {
        let mut facts = BlockFacts {
            writes: BTreeSet::new(),
            param_reads: BTreeMap::new(),
            fallible: false,
            max_emits: max_emits(body),
            assigns: false,
        };
        for stmt in body {
            stmt.walk(&mut |s| {
                match &s.kind {
                    TStmtKind::Assign { field, op, .. } => {
                        facts.writes.insert(*field);
                        if *op == AssignOp::Set {
                            facts.assigns = true;
                        } else {
                            facts.fallible = true;
                        }
                    }
                    TStmtKind::Insert { field, .. }
                    | TStmtKind::Remove { field, .. }
                    | TStmtKind::Push { field, .. }
                    | TStmtKind::Clear { field } => {
                        facts.writes.insert(*field);
                    }
                    TStmtKind::Emit { .. } | TStmtKind::If { .. } => {}
                }
                for e in s.exprs() {
                    facts.fallible |= self.expr_fallible(e);
                    e.walk(&mut |x| {
                        if let TExprKind::Param(p) = x.kind {
                            *facts.param_reads.entry(p).or_insert(0) += 1;
                        }
                    });
                }
            });
        }
        facts
    }

    /// The parameters of `input` the guards of its transitions read.
    fn guard_params(&self, input: InputId) -> BTreeSet<ParamId> {
        let mut out = BTreeSet::new();
        for (_, t) in self.m.transitions_on(input) {
            for g in &t.guards {
                g.expr.walk(&mut |x| {
                    if let TExprKind::Param(p) = x.kind {
                        out.insert(p);
                    }
                });
            }
        }
        out
    }

    /// The body of `Machine::apply`.
    pub fn apply_body(&self) -> TokenStream {
        if self.m.inputs.is_empty() {
            return quote!(match input {});
        }
        let input_ty = &self.input_ty;
        let arms = self.m.inputs.iter().enumerate().map(|(i, input)| {
            let id = InputId::from_index(i);
            let variant = names::ident(&input.name);
            let mut used = self.guard_params(id);
            for (_, t) in self.m.transitions_on(id) {
                used.extend(self.block_facts(&t.body).param_reads.into_keys());
            }
            let pattern = if input.params.is_empty() {
                quote!(#input_ty::#variant)
            } else {
                let bound = input
                    .params
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| used.contains(&ParamId::from_index(*j)))
                    .map(|(_, p)| {
                        let name = names::ident(&p.name);
                        let local = param_local(&p.name);
                        quote!(#name: #local,)
                    });
                let rest = (used.len() < input.params.len()).then(|| quote!(..));
                quote!(#input_ty::#variant { #(#bound)* #rest })
            };
            let phases = self.phase_arms(id, &input.name);
            quote!(#pattern => match self.phase { #phases })
        });
        quote! {
            match input {
                #(#arms,)*
            }
        }
    }

    /// The arms of the phase `match` for one input: phases with the same
    /// candidates (and the same ignore) share an arm.
    fn phase_arms(&self, input: InputId, input_name: &str) -> TokenStream {
        // (candidates, ignored) → the phases that have them.
        type Arm = (Vec<TransitionId>, bool);
        // In order of first appearance, found again through `seen`.
        let mut groups: Vec<(Arm, Vec<PhaseId>)> = Vec::new();
        let mut seen: HashMap<Arm, usize> = HashMap::new();
        let table = self.m.candidates_by_phase(input);
        for phase in self.m.phase_ids() {
            let candidates: Vec<TransitionId> = table
                .binary_search_by_key(&phase, |(p, _)| *p)
                .ok()
                .and_then(|i| table.get(i))
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let ignored = candidates.is_empty() && self.m.is_ignored(input, phase);
            let key = (candidates, ignored);
            match seen.get(&key).and_then(|&g| groups.get_mut(g)) {
                Some((_, phases)) => phases.push(phase),
                None => {
                    seen.insert(key.clone(), groups.len());
                    groups.push((key, vec![phase]));
                }
            }
        }
        let mut out = TokenStream::new();
        for ((candidates, ignored), phases) in groups {
            let patterns = phases.iter().map(|p| self.phase_variant(*p));
            let body = if candidates.is_empty() {
                if ignored {
                    quote! {
                        ::core::result::Result::Ok(::fsm::Step {
                            transition: ::core::option::Option::None,
                            from: self.phase,
                            to: self.phase,
                            effects: ::std::vec::Vec::new(),
                        })
                    }
                } else {
                    quote! {
                        ::core::result::Result::Err(Self::__reject(
                            self.phase,
                            #input_name,
                            ::fsm::RejectionKind::NoMatchingTransition,
                        ))
                    }
                }
            } else {
                self.select(input, input_name, &candidates)
            };
            out.extend(quote!(#(#patterns)|* => #body,));
        }
        out
    }

    /// Tries the candidates in order.
    fn select(&self, input: InputId, input_name: &str, candidates: &[TransitionId]) -> TokenStream {
        let transitions: Vec<(&Transition, TokenStream)> = candidates
            .iter()
            .filter_map(|id| self.m.transition(*id))
            .map(|t| (t, self.fire_call(t)))
            .collect();
        let Some(((first, first_call), rest)) = transitions.split_first() else {
            return quote!(::core::compile_error!("a phase arm without candidates"));
        };
        if first.guards.is_empty() {
            return first_call.clone();
        }
        let guard_scope = |t: &Transition| {
            let tname = &t.name;
            Scope::machine(
                Some(input),
                quote! {
                    .ok_or_else(|| Self::__reject(
                        self.phase,
                        #input_name,
                        ::fsm::RejectionKind::ArithmeticOverflow { transition: #tname },
                    ))?
                },
            )
        };
        let scope = guard_scope(first);
        let first_name = &first.name;
        if rest.is_empty() {
            let checks = first.guards.iter().map(|g| {
                let negated = self.negated(&scope, &g.expr);
                let gname = &g.name;
                quote! {
                    if #negated {
                        return ::core::result::Result::Err(Self::__reject(
                            self.phase,
                            #input_name,
                            ::fsm::RejectionKind::GuardRejected {
                                transition: #first_name,
                                guard: #gname,
                            },
                        ));
                    }
                }
            });
            return quote!({
                #(#checks)*
                #first_call
            });
        }
        let checks = first.guards.iter().map(|g| {
            let negated = self.negated(&scope, &g.expr);
            let gname = &g.name;
            quote! {
                if #negated {
                    break 'first (#first_name, #gname);
                }
            }
        });
        let mut others = TokenStream::new();
        for (t, call) in rest {
            if t.guards.is_empty() {
                others.extend(quote!(return #call;));
                break;
            }
            let scope = guard_scope(t);
            let conds = t.guards.iter().enumerate().map(|(i, g)| {
                let v = self.operand(&scope, &g.expr);
                if i == 0 {
                    v.at_left(Prec::And)
                } else {
                    v.at(Prec::Cmp)
                }
            });
            others.extend(quote! {
                if #(#conds)&&* {
                    return #call;
                }
            });
        }
        quote!({
            let (__transition, __guard) = 'first: {
                #(#checks)*
                return #first_call;
            };
            #others
            ::core::result::Result::Err(Self::__reject(
                self.phase,
                #input_name,
                ::fsm::RejectionKind::GuardRejected {
                    transition: __transition,
                    guard: __guard,
                },
            ))
        })
    }

    /// `self.__fire_<name>(params the block reads)`.
    fn fire_call(&self, t: &Transition) -> TokenStream {
        let method = fire_method(t);
        let facts = self.block_facts(&t.body);
        let args = facts.param_reads.keys().filter_map(|p| {
            self.m
                .input(t.input)
                .and_then(|i| i.param(*p))
                .map(|p| param_local(&p.name))
        });
        quote!(self.#method(#(#args),*))
    }

    /// The inherent impl holding one `__fire_<name>` per transition.
    pub fn apply_impl(&self) -> TokenStream {
        if self.m.transitions.is_empty() {
            return TokenStream::new();
        }
        let machine = &self.machine;
        let fires = self.m.transitions.iter().map(|t| self.fire(t));
        quote! {
            impl #machine {
                #(#fires)*
            }
        }
    }

    fn fire(&self, t: &Transition) -> TokenStream {
        let method = fire_method(t);
        let phase_ty = &self.phase_ty;
        let effect_ty = &self.effect_ty;
        let input = self.m.input(t.input);
        let input_name = input.map_or("?", |i| i.name.as_str());
        let tname = &t.name;
        let facts = self.block_facts(&t.body);
        let params = facts.param_reads.keys().filter_map(|p| {
            input.and_then(|i| i.param(*p)).map(|p| {
                let local = param_local(&p.name);
                let ty = self.ty(&p.ty);
                quote!(#local: #ty)
            })
        });
        let movable: BTreeSet<ParamId> = facts
            .param_reads
            .iter()
            .filter(|(_, n)| **n == 1)
            .map(|(p, _)| *p)
            .collect();
        let overflow = facts.fallible.then(|| {
            quote! {
                let __overflow = move || Self::__reject(
                    __from,
                    #input_name,
                    ::fsm::RejectionKind::ArithmeticOverflow { transition: #tname },
                );
            }
        });
        let effects_decl = (facts.max_emits > 0).then(|| {
            let n = proc_macro2::Literal::usize_unsuffixed(facts.max_emits);
            quote!(let mut __effects = ::std::vec::Vec::with_capacity(#n);)
        });
        let scope = |staged: BTreeSet<FieldId>| Scope {
            state: State::Machine { staged },
            input: Some(t.input),
            movable: movable.clone(),
            in_loop: false,
            escape: quote!(.ok_or_else(__overflow)?),
            target: Some(match t.target {
                Some(p) => self.phase_variant(p),
                None => quote!(__from),
            }),
        };
        let any_copy_free = facts
            .writes
            .iter()
            .any(|f| self.field_ty(*f).is_some_and(|ty| !self.is_copy(ty)));
        let body = if facts.writes.is_empty() {
            self.direct(t, &scope(BTreeSet::new()), true)
        } else if !facts.fallible && any_copy_free && !self.has_always_invariants() {
            let staged = self.staged(t, &scope(facts.writes.clone()), false);
            let direct = self.direct(t, &scope(BTreeSet::new()), false);
            quote! {
                if ::fsm::CHECK_INVARIANTS {
                    #staged
                } else {
                    #direct
                }
            }
        } else {
            self.staged(t, &scope(facts.writes.clone()), true)
        };
        let allow = (facts.assigns && !facts.writes.is_empty())
            .then(|| quote!(#[allow(unused_assignments)]));
        let doc = format!(" Runs transition `{}`; its guards hold.", t.name);
        quote! {
            #[doc = #doc]
            #[inline]
            #allow
            fn #method(&mut self, #(#params),*)
                -> ::core::result::Result<::fsm::Step<#phase_ty, #effect_ty>, ::fsm::Rejection>
            {
                let __from = self.phase;
                #overflow
                #effects_decl
                #body
            }
        }
    }

    /// The block run on staged copies of the written fields, then committed.
    fn staged(&self, t: &Transition, scope: &Scope, gate_check: bool) -> TokenStream {
        let State::Machine { staged } = &scope.state else {
            return TokenStream::new();
        };
        let copies = staged.iter().filter_map(|f| {
            let def = self.m.field(*f)?;
            let name = names::ident(&def.name);
            let local = field_local(&def.name);
            Some(if self.is_copy(&def.ty) {
                quote!(let mut #local = self.#name;)
            } else {
                quote!(let mut #local = ::core::clone::Clone::clone(&self.#name);)
            })
        });
        let swaps: Vec<TokenStream> = staged
            .iter()
            .filter_map(|f| {
                let def = self.m.field(*f)?;
                let name = names::ident(&def.name);
                let local = field_local(&def.name);
                Some(quote!(::core::mem::swap(&mut self.#name, &mut #local);))
            })
            .collect();
        let stmts = self.stmts(scope, &t.body);
        let set_phase = self.set_phase(t);
        let check = self.invariant_check(t, &swaps, gate_check);
        let step = self.step(t);
        quote! {
            #(#copies)*
            #stmts
            #(#swaps)*
            #set_phase
            #check
            #step
        }
    }

    /// The block run on the machine itself (nothing can fail part-way).
    fn direct(&self, t: &Transition, scope: &Scope, check_invariants: bool) -> TokenStream {
        let stmts = self.stmts(scope, &t.body);
        let set_phase = self.set_phase(t);
        let check = if check_invariants {
            self.invariant_check(t, &[], true)
        } else {
            TokenStream::new()
        };
        let step = self.step(t);
        quote! {
            #stmts
            #set_phase
            #check
            #step
        }
    }

    fn set_phase(&self, t: &Transition) -> TokenStream {
        match t.target {
            Some(p) => {
                let p = self.phase_variant(p);
                quote!(self.phase = #p;)
            }
            None => TokenStream::new(),
        }
    }

    /// After the commit: a broken invariant undoes it (`undo` swaps the
    /// staged fields back) and refuses the input.
    fn invariant_check(&self, t: &Transition, undo: &[TokenStream], gate: bool) -> TokenStream {
        if self.m.invariants.is_empty() || (undo.is_empty() && t.target.is_none()) {
            return TokenStream::new();
        }
        let input_name = self.m.input(t.input).map_or("?", |i| i.name.as_str());
        let tname = &t.name;
        let revert_phase = t.target.is_some().then(|| quote!(self.phase = __from;));
        let check = quote! {
            if let ::core::option::Option::Some(__invariant) = self.__view().__failing_invariant(::fsm::CHECK_INVARIANTS) {
                #(#undo)*
                #revert_phase
                return ::core::result::Result::Err(Self::__reject(
                    __from,
                    #input_name,
                    ::fsm::RejectionKind::InvariantViolated {
                        transition: #tname,
                        invariant: __invariant,
                    },
                ));
            }
        };
        if gate && !self.has_always_invariants() {
            quote! {
                if ::fsm::CHECK_INVARIANTS {
                    #check
                }
            }
        } else {
            check
        }
    }

    fn step(&self, t: &Transition) -> TokenStream {
        let tname = &t.name;
        let effects = if max_emits(&t.body) > 0 {
            quote!(__effects)
        } else {
            quote!(::std::vec::Vec::new())
        };
        quote! {
            ::core::result::Result::Ok(::fsm::Step {
                transition: ::core::option::Option::Some(#tname),
                from: __from,
                to: self.phase,
                effects: #effects,
            })
        }
    }

    /// The statements of a block.
    fn stmts(&self, s: &Scope, body: &[TStmt]) -> TokenStream {
        body.iter().map(|stmt| self.stmt(s, stmt)).collect()
    }

    fn stmt(&self, s: &Scope, stmt: &TStmt) -> TokenStream {
        let target = |f: FieldId| {
            let Some(def) = self.m.field(f) else {
                return quote!(::core::compile_error!("unknown field"));
            };
            if s.is_staged(f) {
                let local = field_local(&def.name);
                quote!(#local)
            } else {
                let name = names::ident(&def.name);
                quote!(self.#name)
            }
        };
        match &stmt.kind {
            TStmtKind::Assign { field, op, value } => {
                let place = target(*field);
                let escape = &s.escape;
                match op {
                    AssignOp::Set => {
                        let v = self.owned(s, value);
                        quote!(#place = #v;)
                    }
                    AssignOp::Add | AssignOp::Sub => {
                        let method = if *op == AssignOp::Add {
                            names::internal("checked_add")
                        } else {
                            names::internal("checked_sub")
                        };
                        let v = self.owned(s, value);
                        quote!(#place = #place.#method(#v)#escape;)
                    }
                }
            }
            TStmtKind::Insert { field, key, value } => {
                let place = target(*field);
                let k = self.owned(s, key);
                match value {
                    Some(v) => {
                        let v = self.owned(s, v);
                        quote!(#place.insert(#k, #v);)
                    }
                    None => quote!(#place.insert(#k);),
                }
            }
            TStmtKind::Remove { field, key } => {
                let place = target(*field);
                let k = self.borrowed(s, key);
                quote!(#place.remove(#k);)
            }
            TStmtKind::Push { field, value } => {
                let place = target(*field);
                let v = self.owned(s, value);
                quote!(#place.push(#v);)
            }
            TStmtKind::Clear { field } => {
                let place = target(*field);
                quote!(#place.clear();)
            }
            TStmtKind::Emit { effect, args } => {
                let effect_ty = &self.effect_ty;
                let Some(def) = self.m.effect(*effect) else {
                    return quote!(::core::compile_error!("unknown effect"););
                };
                let variant = names::ident(&def.name);
                if def.params.is_empty() {
                    quote!(__effects.push(#effect_ty::#variant);)
                } else {
                    let fields = def.params.iter().zip(args).map(|(p, a)| {
                        let name = names::ident(&p.name);
                        let v = self.owned(s, a);
                        quote!(#name: #v)
                    });
                    quote!(__effects.push(#effect_ty::#variant { #(#fields),* });)
                }
            }
            TStmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.operand(s, cond).ts;
                let then = self.stmts(s, then);
                match otherwise.as_slice() {
                    [] => quote!(if #c { #then }),
                    [
                        TStmt {
                            kind: TStmtKind::If { .. },
                            ..
                        },
                    ] => {
                        let rest = self.stmts(s, otherwise);
                        quote!(if #c { #then } else #rest)
                    }
                    _ => {
                        let rest = self.stmts(s, otherwise);
                        quote!(if #c { #then } else { #rest })
                    }
                }
            }
        }
    }
}

fn fire_method(t: &Transition) -> proc_macro2::Ident {
    names::internal(&format!("__fire_{}", t.name))
}

/// The most effects one run of `body` emits.
fn max_emits(body: &[TStmt]) -> usize {
    body.iter()
        .map(|s| match &s.kind {
            TStmtKind::Emit { .. } => 1,
            TStmtKind::If {
                then, otherwise, ..
            } => max_emits(then).max(max_emits(otherwise)),
            _ => 0,
        })
        .sum()
}
