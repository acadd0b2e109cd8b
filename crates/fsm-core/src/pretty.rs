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

    /// The statements of a block in spec syntax, one line per statement
    /// (and per `}` of an `if`), nested blocks indented by four spaces;
    /// `params` are the parameters the expressions read. Actions are
    /// already inlined in the model, so no `do` line appears.
    pub fn stmts(&self, stmts: &[TStmt], params: &[Param]) -> Vec<String> {
        let mut lines = Vec::new();
        self.write_stmts(stmts, params, 0, &mut lines);
        lines
    }

    fn write_stmts(
        &self,
        stmts: &[TStmt],
        params: &[Param],
        depth: usize,
        lines: &mut Vec<String>,
    ) {
        let indent = "    ".repeat(depth.min(MAX_EXPR_DEPTH));
        let m = self.model;
        let field = |id: crate::model::FieldId| m.field(id).map_or("?", |f| f.name.as_str());
        for stmt in stmts {
            match &stmt.kind {
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
                    lines.push(format!(
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
                    let mut args = self.expr(key, params);
                    if let Some(value) = value {
                        args.push_str(", ");
                        args.push_str(&self.expr(value, params));
                    }
                    lines.push(format!("{indent}{}.insert({args})", field(*f)));
                }
                TStmtKind::Remove { field: f, key } => {
                    lines.push(format!(
                        "{indent}{}.remove({})",
                        field(*f),
                        self.expr(key, params)
                    ));
                }
                TStmtKind::Push { field: f, value } => {
                    lines.push(format!(
                        "{indent}{}.push({})",
                        field(*f),
                        self.expr(value, params)
                    ));
                }
                TStmtKind::Clear { field: f } => {
                    lines.push(format!("{indent}{}.clear()", field(*f)))
                }
                TStmtKind::Emit { effect, args } => {
                    let name = m.effect(*effect).map_or("?", |e| e.name.as_str());
                    if args.is_empty() {
                        lines.push(format!("{indent}emit {name}"));
                    } else {
                        let args: Vec<String> = args.iter().map(|a| self.expr(a, params)).collect();
                        lines.push(format!("{indent}emit {name}({})", args.join(", ")));
                    }
                }
                TStmtKind::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    lines.push(format!("{indent}if {} {{", self.expr(cond, params)));
                    self.write_stmts(then, params, depth + 1, lines);
                    self.write_else(otherwise, params, depth, lines);
                }
            }
        }
    }

    /// The `else` part of an `if` at `depth`, `else if` chains kept flat.
    fn write_else(
        &self,
        otherwise: &[TStmt],
        params: &[Param],
        depth: usize,
        lines: &mut Vec<String>,
    ) {
        let indent = "    ".repeat(depth.min(MAX_EXPR_DEPTH));
        match otherwise {
            [] => lines.push(format!("{indent}}}")),
            [
                TStmt {
                    kind:
                        TStmtKind::If {
                            cond,
                            then,
                            otherwise,
                        },
                    ..
                },
            ] => {
                lines.push(format!("{indent}}} else if {} {{", self.expr(cond, params)));
                self.write_stmts(then, params, depth + 1, lines);
                self.write_else(otherwise, params, depth, lines);
            }
            _ => {
                lines.push(format!("{indent}}} else {{"));
                self.write_stmts(otherwise, params, depth + 1, lines);
                lines.push(format!("{indent}}}"));
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
