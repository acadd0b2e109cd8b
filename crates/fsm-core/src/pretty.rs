//! The checked model printed back in spec syntax: one printer for every
//! tool that shows an expression (machine pages, and any view of a guard,
//! an invariant or a derived value). Names are the model's; a variant that
//! is also the name of a phase or of another enum's variant is qualified.

use crate::model::{
    AssignOp, BinOp, Model, Param, Quantifier, TExpr, TExprKind, TStmt, TStmtKind, UnOp,
};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Expressions nested deeper than this are shown as `…`.
const MAX_EXPR_DEPTH: usize = 200;

/// Prints typed expressions back in spec syntax.
pub struct Printer<'m> {
    model: &'m Model,
    /// Variant names that also name a phase or a variant of another enum:
    /// those are printed `Enum::Variant`.
    ambiguous: HashSet<&'m str>,
}

impl<'m> Printer<'m> {
    /// The model printed.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    pub fn new(model: &'m Model) -> Self {
        let mut seen: HashSet<&str> = model.phases.iter().map(|p| p.name.as_str()).collect();
        let mut ambiguous = HashSet::new();
        for enum_def in &model.enums {
            for variant in &enum_def.variants {
                if !seen.insert(variant.name.as_str()) {
                    ambiguous.insert(variant.name.as_str());
                }
            }
        }
        Printer { model, ambiguous }
    }

    /// `e` in spec syntax; `params` are the parameters `TExprKind::Param`
    /// reads.
    pub fn expr(&self, e: &TExpr, params: &[Param]) -> String {
        let mut out = String::new();
        let mut vars = Vec::new();
        self.write(e, params, &mut vars, 0, &mut out);
        out
    }

    /// A block of statements in spec syntax, one line per line of text:
    /// nested blocks are indented by four spaces and closed by `}`; `else
    /// if` chains are printed as written. `params` are the parameters of
    /// the transition's input.
    pub fn stmts(&self, body: &[TStmt], params: &[Param]) -> Vec<String> {
        let mut out = Vec::new();
        self.write_block(body, params, 0, &mut out);
        out
    }

    fn write_block(&self, body: &[TStmt], params: &[Param], depth: usize, out: &mut Vec<String>) {
        let indent = "    ".repeat(depth.min(MAX_EXPR_DEPTH));
        if depth > MAX_EXPR_DEPTH {
            out.push(format!("{indent}…"));
            return;
        }
        let m = self.model;
        let field = |id: crate::model::FieldId| m.field(id).map_or("?", |f| f.name.as_str());
        for s in body {
            match &s.kind {
                TStmtKind::Assign {
                    field: f,
                    op,
                    value,
                } => {
                    let op = match op {
                        AssignOp::Set => "=",
                        AssignOp::Add => "+=",
                        AssignOp::Sub => "-=",
                    };
                    out.push(format!(
                        "{indent}{} {op} {}",
                        field(*f),
                        self.expr(value, params)
                    ));
                }
                TStmtKind::Insert {
                    field: f,
                    key,
                    value,
                } => {
                    let key = self.expr(key, params);
                    out.push(match value {
                        Some(v) => format!(
                            "{indent}{}.insert({key}, {})",
                            field(*f),
                            self.expr(v, params)
                        ),
                        None => format!("{indent}{}.insert({key})", field(*f)),
                    });
                }
                TStmtKind::Remove { field: f, key } => {
                    out.push(format!(
                        "{indent}{}.remove({})",
                        field(*f),
                        self.expr(key, params)
                    ));
                }
                TStmtKind::Push { field: f, value } => {
                    out.push(format!(
                        "{indent}{}.push({})",
                        field(*f),
                        self.expr(value, params)
                    ));
                }
                TStmtKind::Clear { field: f } => {
                    out.push(format!("{indent}{}.clear()", field(*f)));
                }
                TStmtKind::Emit { effect, args } => {
                    let name = m.effect(*effect).map_or("?", |e| e.name.as_str());
                    if args.is_empty() {
                        out.push(format!("{indent}emit {name}"));
                    } else {
                        let args: Vec<String> = args.iter().map(|a| self.expr(a, params)).collect();
                        out.push(format!("{indent}emit {name}({})", args.join(", ")));
                    }
                }
                TStmtKind::If { .. } => self.write_if(s, params, depth, out),
            }
        }
    }

    /// An `if` statement and its `else if` chain (a loop, so a long chain
    /// costs no stack).
    fn write_if(&self, s: &TStmt, params: &[Param], depth: usize, out: &mut Vec<String>) {
        let indent = "    ".repeat(depth.min(MAX_EXPR_DEPTH));
        let mut current = s;
        let mut lead = "";
        loop {
            let TStmtKind::If {
                cond,
                then,
                otherwise,
            } = &current.kind
            else {
                return;
            };
            out.push(format!("{indent}{lead}if {} {{", self.expr(cond, params)));
            self.write_block(then, params, depth + 1, out);
            match otherwise.as_slice() {
                [] => {
                    out.push(format!("{indent}}}"));
                    return;
                }
                [only] if matches!(only.kind, TStmtKind::If { .. }) => {
                    current = only;
                    lead = "} else ";
                }
                rest => {
                    out.push(format!("{indent}}} else {{"));
                    self.write_block(rest, params, depth + 1, out);
                    out.push(format!("{indent}}}"));
                    return;
                }
            }
        }
    }

    fn write(
        &self,
        e: &TExpr,
        params: &[Param],
        vars: &mut Vec<String>,
        depth: usize,
        out: &mut String,
    ) {
        if depth > MAX_EXPR_DEPTH {
            out.push('…');
            return;
        }
        let m = self.model;
        let sub = |this: &Self, e: &TExpr, min: u8, vars: &mut Vec<String>, out: &mut String| {
            let parens = prec(e) < min;
            if parens {
                out.push('(');
            }
            this.write(e, params, vars, depth + 1, out);
            if parens {
                out.push(')');
            }
        };
        match &e.kind {
            TExprKind::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            TExprKind::Int(n) => {
                let _ = write!(out, "{n}");
            }
            TExprKind::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            TExprKind::None => out.push_str("none"),
            TExprKind::Some(inner) => {
                out.push_str("some(");
                self.write(inner, params, vars, depth + 1, out);
                out.push(')');
            }
            TExprKind::Field(id) => out.push_str(m.field(*id).map_or("?", |f| f.name.as_str())),
            TExprKind::Param(id) => {
                out.push_str(params.get(id.index()).map_or("?", |p| p.name.as_str()));
            }
            TExprKind::Derived(id) => {
                out.push_str(m.derived_value(*id).map_or("?", |d| d.name.as_str()));
            }
            TExprKind::Key => out.push_str(m.key.as_ref().map_or("?", |k| k.name.as_str())),
            TExprKind::CurrentPhase => out.push_str("phase"),
            TExprKind::Target => out.push_str("target"),
            TExprKind::Const(id) => {
                out.push_str(m.constant(*id).map_or("?", |c| c.name.as_str()));
            }
            TExprKind::Variant(enum_id, variant) => {
                let name = m.variant_name(*enum_id, *variant);
                if self.ambiguous.contains(name) {
                    let enum_name = m.enum_def(*enum_id).map_or("?", |e| e.name.as_str());
                    let _ = write!(out, "{enum_name}::{name}");
                } else {
                    out.push_str(name);
                }
            }
            TExprKind::Phase(id) => {
                let name = m.phase_name(*id);
                if self.ambiguous.contains(name) {
                    let _ = write!(out, "Phase::{name}");
                } else {
                    out.push_str(name);
                }
            }
            TExprKind::Var(id) => {
                out.push_str(vars.get(id.index()).map_or("?", String::as_str));
            }
            TExprKind::Collection(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(item, params, vars, depth + 1, out);
                }
                out.push(']');
            }
            TExprKind::Unary(op, operand) => {
                out.push(match op {
                    UnOp::Not => '!',
                    UnOp::Neg => '-',
                });
                sub(self, operand, PREC_UNARY, vars, out);
            }
            TExprKind::Binary(op, left, right) => {
                let p = prec(e);
                // Comparisons do not chain: both sides bind tighter.
                let (left_min, right_min) = if p == PREC_CMP {
                    (p + 1, p + 1)
                } else {
                    (p, p + 1)
                };
                sub(self, left, left_min, vars, out);
                let _ = write!(out, " {} ", op.as_str());
                sub(self, right, right_min, vars, out);
            }
            TExprKind::Method {
                method,
                receiver,
                args,
            } => {
                sub(self, receiver, PREC_METHOD, vars, out);
                let _ = write!(out, ".{}(", method.name());
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(arg, params, vars, depth + 1, out);
                }
                out.push(')');
            }
            TExprKind::Quant {
                kind,
                name,
                coll,
                body,
                ..
            } => {
                let word = match kind {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                };
                let _ = write!(out, "{word} {name} in ");
                sub(self, coll, PREC_CMP + 1, vars, out);
                out.push_str(": ");
                vars.push(name.clone());
                self.write(body, params, vars, depth + 1, out);
                vars.pop();
            }
        }
    }
}

const PREC_CMP: u8 = 3;
const PREC_UNARY: u8 = 6;
const PREC_METHOD: u8 = 7;

/// How tightly an expression binds (higher is tighter). A quantifier's body
/// extends as far as possible, so as an operand it is always parenthesized.
fn prec(e: &TExpr) -> u8 {
    match &e.kind {
        TExprKind::Binary(op, ..) => match op {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In => {
                PREC_CMP
            }
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 5,
        },
        TExprKind::Unary(..) => PREC_UNARY,
        // A negative literal reads as a unary minus.
        TExprKind::Int(n) if *n < 0 => PREC_UNARY,
        TExprKind::Quant { .. } => 0,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_print_in_spec_syntax() {
        let spec = "machine M {\n    phases { A, B }\n    initial A\n    state {\n        n: u8 = 0\n        s: Set<u8> = []\n    }\n    input Go(x: u8)\n    effect Told(v: u8)\n    transition go on Go from A -> B {\n        n += x\n        s.insert(x)\n        if x > 1 {\n            emit Told(x)\n        } else if x == 0 {\n            s.clear()\n        } else {\n            n = 0\n        }\n    }\n    verify { domain Go.x = 0..3 }\n}\n";
        let compilation = crate::compile("m.fsm", spec.as_bytes());
        let model = compilation.model.expect("spec compiles");
        let t = &model.transitions[0];
        let params = &model.inputs[t.input.index()].params;
        let lines = Printer::new(&model).stmts(&t.body, params);
        assert_eq!(
            lines,
            [
                "n += x",
                "s.insert(x)",
                "if x > 1 {",
                "    emit Told(x)",
                "} else if x == 0 {",
                "    s.clear()",
                "} else {",
                "    n = 0",
                "}",
            ]
        );
    }
}
