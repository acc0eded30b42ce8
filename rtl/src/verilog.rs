//! A small typed Verilog-2005 AST and its one printer.
//!
//! Modules, ports, declarations, expressions, statements and instances are values; [`print_module`]
//! is the only place in the workspace that turns them into Verilog text. Every arithmetic
//! operand is unsigned and width-exact (callers sign-extend explicitly with [`Expr::sext`]), so
//! the output passes `verilator --lint-only -Wall` without width warnings.

use std::fmt::Write as _;

/// Port direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `input wire`.
    Input,
    /// `output wire` (driven by an `assign`).
    Output,
    /// `output reg` (driven by an `always` block).
    OutputReg,
}

/// A module port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Direction and kind.
    pub dir: Dir,
    /// Identifier.
    pub name: String,
    /// Width in bits (at least 1).
    pub width: u32,
    /// One-line description printed after the declaration.
    pub doc: String,
}

impl Port {
    /// Whether the port is an output (`output wire` or `output reg`).
    pub fn is_output(&self) -> bool {
        self.dir != Dir::Input
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// Bitwise `~`.
    Not,
    /// Logical `!`.
    LogicNot,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*` (the product keeps the operands' width: callers extend them first)
    Mul,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `&&`
    LogicAnd,
    /// `||`
    LogicOr,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<<`
    Shl,
    /// `>>` (logical)
    Shr,
}

impl BinOp {
    fn token(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::LogicAnd => "&&",
            BinOp::LogicOr => "||",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A signal, port or array name.
    Ident(String),
    /// A sized literal, printed `W'dV` (V < 2^64 is enough for every constant here).
    Lit {
        /// Width in bits.
        width: u32,
        /// Value.
        value: u64,
    },
    /// Array element or single bit: `e[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// Constant part select `e[hi:lo]`.
    Slice(Box<Expr>, u32, u32),
    /// Unary operation.
    Unary(UnOp, Box<Expr>),
    /// Binary operation (always parenthesized when printed).
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `{a, b, ...}`, most significant first.
    Concat(Vec<Expr>),
    /// `{n{e}}`.
    Repeat(u32, Box<Expr>),
}

impl Expr {
    /// A named signal.
    pub fn id(name: impl Into<String>) -> Expr {
        Expr::Ident(name.into())
    }
    /// A sized literal.
    pub fn lit(width: u32, value: u64) -> Expr {
        Expr::Lit { width, value }
    }
    /// `self[hi:lo]` (or `self[hi]` when `hi == lo`); a slice of a slice folds into one.
    pub fn slice(self, hi: u32, lo: u32) -> Expr {
        match self {
            Expr::Slice(inner, _, base) => Expr::Slice(inner, base + hi, base + lo),
            other => Expr::Slice(Box::new(other), hi, lo),
        }
    }
    /// `self[index]` with a variable index.
    pub fn index(self, index: Expr) -> Expr {
        Expr::Index(Box::new(self), Box::new(index))
    }
    /// Bit `i` of `self` (also a constant array index).
    pub fn bit(self, i: u32) -> Expr {
        self.slice(i, i)
    }
    /// Binary operation.
    pub fn bin(self, op: BinOp, rhs: Expr) -> Expr {
        Expr::Binary(op, Box::new(self), Box::new(rhs))
    }
    /// `~self` (bitwise inversion).
    pub fn inv(self) -> Expr {
        Expr::Unary(UnOp::Not, Box::new(self))
    }
    /// `!self`.
    pub fn lnot(self) -> Expr {
        Expr::Unary(UnOp::LogicNot, Box::new(self))
    }
    /// `self ? a : b`.
    pub fn cond(self, a: Expr, b: Expr) -> Expr {
        Expr::Cond(Box::new(self), Box::new(a), Box::new(b))
    }
    /// Sign-extends `self` (of width `from`) to `to` bits.
    pub fn sext(self, from: u32, to: u32) -> Expr {
        if to == from {
            return self;
        }
        let sign = self.clone().bit(from - 1);
        Expr::Concat(vec![Expr::Repeat(to - from, Box::new(sign)), self])
    }
    /// Zero-extends `self` (of width `from`) to `to` bits.
    pub fn zext(self, from: u32, to: u32) -> Expr {
        if to == from {
            return self;
        }
        Expr::Concat(vec![Expr::lit(to - from, 0), self])
    }
}

/// A statement inside an `always` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// Non-blocking assignment `lhs <= rhs;`.
    NonBlocking(Expr, Expr),
    /// `if (c) begin .. end else begin .. end` (else omitted when empty).
    If(Expr, Vec<Stmt>, Vec<Stmt>),
}

/// A module body item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A `// ...` comment line.
    Comment(String),
    /// `wire [w-1:0] name;` or, with `depth`, an unpacked array `wire [w-1:0] name [0:depth-1];`.
    Wire {
        /// Identifier.
        name: String,
        /// Element width.
        width: u32,
        /// Array depth, if an array.
        depth: Option<u32>,
    },
    /// `reg [w-1:0] name;` or a memory `reg [w-1:0] name [0:depth-1];` with an optional
    /// synthesis attribute such as `ram_style = "block"`.
    Reg {
        /// Identifier.
        name: String,
        /// Element width.
        width: u32,
        /// Array depth, if a memory.
        depth: Option<u32>,
        /// Attribute text printed inside `(* *)`.
        attr: Option<String>,
    },
    /// `assign lhs = rhs;`.
    Assign(Expr, Expr),
    /// `always @(posedge clk) begin .. end`.
    AlwaysFf {
        /// Clock signal name.
        clock: String,
        /// Body.
        body: Vec<Stmt>,
    },
    /// A module instance with named port connections.
    Instance {
        /// Module instantiated.
        module: String,
        /// Instance name.
        name: String,
        /// `(port, expression)` pairs.
        ports: Vec<(String, Expr)>,
    },
}

/// A Verilog module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Module name (also the file stem).
    pub name: String,
    /// Comment lines printed above the module.
    pub doc: Vec<String>,
    /// Ports in order.
    pub ports: Vec<Port>,
    /// Body.
    pub items: Vec<Item>,
}

impl Module {
    /// An empty module.
    pub fn new(name: impl Into<String>) -> Module {
        Module {
            name: name.into(),
            doc: Vec::new(),
            ports: Vec::new(),
            items: Vec::new(),
        }
    }
    /// Adds a port.
    pub fn port(&mut self, dir: Dir, name: &str, width: u32, doc: &str) -> Expr {
        self.ports.push(Port {
            dir,
            name: name.to_string(),
            width,
            doc: doc.to_string(),
        });
        Expr::id(name)
    }
    /// Declares a wire and returns its name as an expression.
    pub fn wire(&mut self, name: &str, width: u32) -> Expr {
        self.items.push(Item::Wire {
            name: name.to_string(),
            width,
            depth: None,
        });
        Expr::id(name)
    }
    /// Declares a wire and drives it.
    pub fn wire_assign(&mut self, name: &str, width: u32, value: Expr) -> Expr {
        let w = self.wire(name, width);
        self.items.push(Item::Assign(w.clone(), value));
        w
    }
    /// Declares a register.
    pub fn reg(&mut self, name: &str, width: u32) -> Expr {
        self.items.push(Item::Reg {
            name: name.to_string(),
            width,
            depth: None,
            attr: None,
        });
        Expr::id(name)
    }
    /// Adds a comment line.
    pub fn comment(&mut self, text: impl Into<String>) {
        self.items.push(Item::Comment(text.into()));
    }
}

/// `text` as one comment line: control characters (a newline in an architecture's name, say)
/// become spaces, so no text can leave the comment.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn range(width: u32) -> String {
    if width == 1 {
        String::new()
    } else {
        format!("[{}:0] ", width - 1)
    }
}

fn expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Ident(n) => out.push_str(n),
        Expr::Lit { width, value } => {
            let _ = write!(out, "{width}'d{value}");
        }
        Expr::Index(a, i) => {
            expr(a, out);
            out.push('[');
            expr(i, out);
            out.push(']');
        }
        Expr::Slice(a, hi, lo) => {
            expr(a, out);
            if hi == lo {
                let _ = write!(out, "[{hi}]");
            } else {
                let _ = write!(out, "[{hi}:{lo}]");
            }
        }
        Expr::Unary(op, a) => {
            out.push_str(match op {
                UnOp::Not => "~",
                UnOp::LogicNot => "!",
            });
            atom(a, out);
        }
        Expr::Binary(op, a, b) => {
            out.push('(');
            expr(a, out);
            let _ = write!(out, " {} ", op.token());
            expr(b, out);
            out.push(')');
        }
        Expr::Cond(c, a, b) => {
            out.push('(');
            expr(c, out);
            out.push_str(" ? ");
            expr(a, out);
            out.push_str(" : ");
            expr(b, out);
            out.push(')');
        }
        Expr::Concat(parts) => {
            out.push('{');
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(p, out);
            }
            out.push('}');
        }
        Expr::Repeat(n, a) => {
            let _ = write!(out, "{{{n}{{");
            expr(a, out);
            out.push_str("}}");
        }
    }
}

/// Operands of unary operators are parenthesized unless they are atoms.
fn atom(e: &Expr, out: &mut String) {
    match e {
        Expr::Ident(_)
        | Expr::Lit { .. }
        | Expr::Index(..)
        | Expr::Slice(..)
        | Expr::Concat(_)
        | Expr::Binary(..)
        | Expr::Cond(..) => expr(e, out),
        _ => {
            out.push('(');
            expr(e, out);
            out.push(')');
        }
    }
}

/// Renders an expression (for tests and diagnostics).
pub fn print_expr(e: &Expr) -> String {
    let mut s = String::new();
    expr(e, &mut s);
    s
}

fn stmts(body: &[Stmt], indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    for s in body {
        match s {
            Stmt::NonBlocking(l, r) => {
                out.push_str(&pad);
                expr(l, out);
                out.push_str(" <= ");
                expr(r, out);
                out.push_str(";\n");
            }
            Stmt::If(c, t, e) => {
                out.push_str(&pad);
                out.push_str("if (");
                expr(c, out);
                out.push_str(") begin\n");
                stmts(t, indent + 1, out);
                if e.is_empty() {
                    let _ = writeln!(out, "{pad}end");
                } else {
                    let _ = writeln!(out, "{pad}end else begin");
                    stmts(e, indent + 1, out);
                    let _ = writeln!(out, "{pad}end");
                }
            }
        }
    }
}

/// Renders one module, preceded by `header` comment lines; the only Verilog printer.
pub fn print_module(m: &Module, header: &[String]) -> String {
    let mut out = String::new();
    for line in header.iter().chain(m.doc.iter()) {
        if line.is_empty() {
            out.push_str("//\n");
        } else {
            let _ = writeln!(out, "// {}", one_line(line));
        }
    }
    out.push_str("`default_nettype none\n\n");
    let _ = writeln!(out, "module {} (", m.name);
    for (i, p) in m.ports.iter().enumerate() {
        let kind = match p.dir {
            Dir::Input => "input  wire",
            Dir::Output => "output wire",
            Dir::OutputReg => "output reg ",
        };
        let sep = if i + 1 == m.ports.len() { "" } else { "," };
        let _ = writeln!(
            out,
            "  {kind} {}{}{sep}  // {}",
            range(p.width),
            p.name,
            one_line(&p.doc)
        );
    }
    out.push_str(");\n");
    for item in &m.items {
        match item {
            Item::Comment(c) => {
                let _ = writeln!(out, "\n  // {}", one_line(c));
            }
            Item::Wire { name, width, depth } => {
                let arr = depth.map(|d| format!(" [0:{}]", d - 1)).unwrap_or_default();
                let _ = writeln!(out, "  wire {}{name}{arr};", range(*width));
            }
            Item::Reg {
                name,
                width,
                depth,
                attr,
            } => {
                let arr = depth.map(|d| format!(" [0:{}]", d - 1)).unwrap_or_default();
                let attr = attr
                    .as_ref()
                    .map(|a| format!("(* {a} *) "))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {attr}reg {}{name}{arr};", range(*width));
            }
            Item::Assign(l, r) => {
                out.push_str("  assign ");
                expr(l, &mut out);
                out.push_str(" = ");
                expr(r, &mut out);
                out.push_str(";\n");
            }
            Item::AlwaysFf { clock, body } => {
                let _ = writeln!(out, "  always @(posedge {clock}) begin");
                stmts(body, 2, &mut out);
                out.push_str("  end\n");
            }
            Item::Instance {
                module,
                name,
                ports,
            } => {
                let _ = writeln!(out, "  {module} {name} (");
                for (i, (p, e)) in ports.iter().enumerate() {
                    let sep = if i + 1 == ports.len() { "" } else { "," };
                    out.push_str("    .");
                    out.push_str(p);
                    out.push('(');
                    expr(e, &mut out);
                    let _ = writeln!(out, "){sep}");
                }
                out.push_str("  );\n");
            }
        }
    }
    out.push_str("endmodule\n\n`default_nettype wire\n");
    out
}

/// Renders several modules into one file: `header` once, then `modules[0]` (whose name must be
/// the file stem), then the rest.
///
/// Tools that take a single source file need the whole design in one file, while Verilator's
/// `DECLFILENAME` style rule wants one module per file named after it. The file therefore waives
/// that one rule, and only after the first module, with a comment saying why; every other
/// `-Wall` rule stays on.
pub fn print_file(header: &[String], modules: &[Module]) -> String {
    let mut out = String::new();
    for (i, m) in modules.iter().enumerate() {
        if i == 0 {
            out.push_str(&print_module(m, header));
        } else {
            if i == 1 {
                out.push_str(
                    "\n// The submodules of the top share its file (one file per design), so the\n",
                );
                out.push_str("// one-module-per-file naming rule is waived from here on.\n");
                out.push_str("/* verilator lint_off DECLFILENAME */\n");
            }
            out.push('\n');
            out.push_str(&print_module(m, &[]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_sign_extension_and_operators() {
        let e = Expr::id("a").sext(4, 6).bin(BinOp::Add, Expr::lit(6, 3));
        assert_eq!(print_expr(&e), "({{2{a[3]}}, a} + 6'd3)");
        assert_eq!(print_expr(&Expr::id("x").bit(0).lnot()), "!x[0]");
        assert_eq!(
            print_expr(&Expr::id("t").slice(79, 70).sext(10, 12)),
            "{{2{t[79]}}, t[79:70]}"
        );
    }

    #[test]
    fn comments_stay_on_one_line() {
        let mut m = Module::new("m");
        m.doc = vec!["a\nmodule evil;".into()];
        let text = print_module(&m, &["arch: x\r\nendmodule".to_string()]);
        assert!(
            text.starts_with("// arch: x  endmodule\n// a module evil;\n"),
            "{text}"
        );
        assert_eq!(text.matches("endmodule").count(), 2, "{text}");
    }

    #[test]
    fn prints_a_module() {
        let mut m = Module::new("m");
        let clk = m.port(Dir::Input, "clk", 1, "clock");
        let _ = clk;
        let q = m.port(Dir::OutputReg, "q", 2, "state");
        m.items.push(Item::AlwaysFf {
            clock: "clk".into(),
            body: vec![Stmt::NonBlocking(
                q.clone(),
                q.bin(BinOp::Add, Expr::lit(2, 1)),
            )],
        });
        let text = print_module(&m, &["hdr".to_string()]);
        assert_eq!(
            text,
            "// hdr\n`default_nettype none\n\nmodule m (\n  input  wire clk,  // clock\n  output reg  [1:0] q  // state\n);\n  always @(posedge clk) begin\n    q <= (q + 2'd1);\n  end\nendmodule\n\n`default_nettype wire\n"
        );
    }
}
