//! Bracketed sequences: records, lists, arguments, match arms and the bodies
//! of declarations, with the comments between their elements.
//!
//! Input: the elements (each with its source range and a renderer) and the
//! bracket's range. Output: `{ a = 1, b = 2 }` when the bracket may stay on
//! one line and fits, else one element per line with:
//! - comments kept in place: on the element's line (trailing), on lines of
//!   their own before an element, or before the closing bracket;
//! - blank lines between elements kept, collapsed to one, none at the edges;
//! - `=` (or the type after `name:`) aligned within runs of consecutive
//!   one-line elements; a blank line, an own-line comment or a multi-line
//!   element ends a run.

use super::printer::{fits, spaces, width, Ctx, Gap, Mode, Printer};

/// Renders an element (or the part after its aligned head) at a position.
pub type Body<'p> = Box<dyn Fn(Ctx, Mode) -> Option<String> + 'p>;

/// What an element aligns on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `name = value`: padding goes before the `=`.
    Equals,
    /// `name: type`: padding goes after the `:`, so the types line up.
    Colon,
}

impl Align {
    fn joiner(self) -> &'static str {
        match self {
            Align::Equals => " = ",
            Align::Colon => " ",
        }
    }
}

/// The aligned left part of an element: `name` (for `=`) or `name:`.
pub struct Head {
    pub text: String,
    pub align: Align,
}

/// One element of a sequence.
pub struct Elem<'p> {
    /// Where the element's first token starts (after its doc comments).
    pub start: usize,
    /// Just past its last token.
    pub end: usize,
    pub head: Option<Head>,
    pub body: Body<'p>,
}

/// A bracketed sequence of elements.
pub struct Seq<'p> {
    pub open: &'static str,
    pub close: &'static str,
    /// Spaces inside a one-line bracket: `{ a = 1 }` but `[1, 2]`.
    pub pad: bool,
    /// Broken over lines, every element ends with a comma (lists, arguments);
    /// otherwise newlines separate them (records, bodies).
    pub commas: bool,
    /// May stay on one line (callers pass whether it was written on one line).
    pub flat: bool,
    /// Where comments of the first gap may start: after the opening bracket.
    pub from: usize,
    /// The closing bracket's offset.
    pub to: usize,
    pub elems: Vec<Elem<'p>>,
}

impl<'p> Seq<'p> {
    /// A declaration body `{ .. }`: one member per line, even when short.
    pub fn body(from: usize, to: usize, elems: Vec<Elem<'p>>) -> Seq<'p> {
        Seq { open: "{", close: "}", pad: true, commas: false, flat: false, from, to, elems }
    }

    /// `{ a = 1, b = 2 }`: on one line when `flat` and short, else one
    /// element per line without commas.
    pub fn record(flat: bool, from: usize, to: usize, elems: Vec<Elem<'p>>) -> Seq<'p> {
        Seq { open: "{", close: "}", pad: true, commas: false, flat, from, to, elems }
    }

    /// `[1, 2]`, `f(a, b)`, `{ dev, prod }`: broken, every element ends with a comma.
    pub fn commas(
        open: &'static str,
        close: &'static str,
        pad: bool,
        flat: bool,
        from: usize,
        to: usize,
        elems: Vec<Elem<'p>>,
    ) -> Seq<'p> {
        Seq { open, close, pad, commas: true, flat, from, to, elems }
    }
}

impl Printer<'_> {
    /// Print a sequence in `mode` starting at `ctx`.
    pub fn seq(&self, seq: &Seq, ctx: Ctx, mode: Mode) -> Option<String> {
        let empty = seq.elems.is_empty() && !self.comments.any_between(seq.from, seq.to);
        if empty {
            return Some(format!("{}{}", seq.open, seq.close));
        }
        if mode == Mode::Flat {
            return if seq.flat { self.seq_flat(seq) } else { None };
        }
        if seq.flat {
            if let Some(flat) = self.seq_flat(seq) {
                if fits(ctx.col, &flat) {
                    return Some(flat);
                }
            }
        }
        Some(self.seq_broken(seq, ctx))
    }

    fn seq_flat(&self, seq: &Seq) -> Option<String> {
        if self.comments.any_between(seq.from, seq.to) {
            return None;
        }
        let mut parts = Vec::with_capacity(seq.elems.len());
        for elem in &seq.elems {
            let head = elem.head.as_ref().map(|h| format!("{}{}", h.text, h.align.joiner()));
            let body = (elem.body)(Ctx::line(0), Mode::Flat)?;
            parts.push(format!("{}{body}", head.unwrap_or_default()));
        }
        let pad = if seq.pad { " " } else { "" };
        Some(format!("{}{pad}{}{pad}{}", seq.open, parts.join(", "), seq.close))
    }

    fn seq_broken(&self, seq: &Seq, ctx: Ctx) -> String {
        let inner = ctx.inner();
        let gaps = self.gaps(seq);
        let texts = self.aligned(seq, &gaps, inner);
        if seq.elems.is_empty() {
            return self.seq_only_comments(seq, &gaps[0], ctx);
        }
        let mut out = String::from(seq.open);
        self.push_trailing(&mut out, &gaps[0]);
        let mut started = false;
        for (i, text) in texts.iter().enumerate() {
            self.push_leading(&mut out, &gaps[i], inner.indent, &mut started);
            out.push('\n');
            out.push_str(&spaces(inner.indent));
            out.push_str(text);
            if seq.commas {
                out.push(',');
            }
            self.push_trailing(&mut out, &gaps[i + 1]);
        }
        let last = &gaps[seq.elems.len()];
        self.push_dangling(&mut out, last, inner.indent, started);
        out.push('\n');
        out.push_str(&spaces(ctx.indent));
        out.push_str(seq.close);
        out
    }

    /// A bracket holding nothing but comments: each on a line of its own.
    fn seq_only_comments(&self, seq: &Seq, gap: &Gap, ctx: Ctx) -> String {
        let all = gap.trailing.iter().map(|c| (false, *c)).chain(gap.leading.iter().copied());
        let gap = Gap { trailing: Vec::new(), leading: all.collect(), blank_after: false };
        let mut out = String::from(seq.open);
        self.push_dangling(&mut out, &gap, ctx.inner().indent, false);
        out.push('\n');
        out.push_str(&spaces(ctx.indent));
        out.push_str(seq.close);
        out
    }

    /// The gap before each element, and the one before the closing bracket.
    fn gaps(&self, seq: &Seq) -> Vec<Gap> {
        let mut gaps = Vec::with_capacity(seq.elems.len() + 1);
        let mut prev = seq.from;
        for elem in &seq.elems {
            gaps.push(self.gap(prev, elem.start));
            prev = elem.end;
        }
        gaps.push(self.gap(prev, seq.to));
        gaps
    }

    /// ` /* c */ // d` after the text of a line.
    pub(super) fn push_trailing(&self, out: &mut String, gap: &Gap) {
        for c in &gap.trailing {
            out.push(' ');
            out.push_str(self.comment(c));
        }
    }

    /// Own-line comments before an element, and the blank line before it.
    pub(super) fn push_leading(&self, out: &mut String, gap: &Gap, indent: usize, started: &mut bool) {
        for (blank, c) in &gap.leading {
            if *blank && *started {
                out.push('\n');
            }
            out.push('\n');
            out.push_str(&spaces(indent));
            out.push_str(self.comment(c));
            *started = true;
        }
        if gap.blank_after && *started {
            out.push('\n');
        }
        *started = true;
    }

    /// Own-line comments after the last element, before the closing bracket.
    pub(super) fn push_dangling(&self, out: &mut String, gap: &Gap, indent: usize, started: bool) {
        for (blank, c) in &gap.leading {
            if *blank && started {
                out.push('\n');
            }
            out.push('\n');
            out.push_str(&spaces(indent));
            out.push_str(self.comment(c));
        }
    }

    /// Each element's text on its own line, with aligned heads padded.
    fn aligned(&self, seq: &Seq, gaps: &[Gap], inner: Ctx) -> Vec<String> {
        let mut texts: Vec<String> = seq.elems.iter().map(|e| self.elem(e, inner, None)).collect();
        let mut candidate: Vec<bool> = seq
            .elems
            .iter()
            .zip(&texts)
            .map(|(e, t)| e.head.is_some() && !t.contains(['\n', '\r']))
            .collect();
        // Padding pushes values right, which can break one over lines; that one
        // leaves its run and the rest realign. Runs only shrink, so this ends.
        let mut changed = true;
        while changed {
            changed = false;
            for run in runs(seq, gaps, &candidate) {
                let pad = run_width(seq, &run);
                for &i in &run {
                    if self.elem(&seq.elems[i], inner, pad).contains(['\n', '\r']) {
                        candidate[i] = false;
                        changed = true;
                    }
                }
            }
        }
        for run in runs(seq, gaps, &candidate) {
            let pad = run_width(seq, &run);
            for &i in &run {
                texts[i] = self.elem(&seq.elems[i], inner, pad);
            }
        }
        texts
    }

    /// One element at the start of a line, its head padded to `pad` columns.
    fn elem(&self, elem: &Elem, ctx: Ctx, pad: Option<usize>) -> String {
        let Some(head) = &elem.head else {
            return (elem.body)(ctx, Mode::Fit).unwrap_or_default();
        };
        let fill = pad.map_or(0, |p| p.saturating_sub(width(&head.text)));
        let prefix = match head.align {
            Align::Equals => format!("{}{} = ", head.text, spaces(fill)),
            Align::Colon => format!("{} {}", head.text, spaces(fill)),
        };
        let body = (elem.body)(ctx.after(&prefix), Mode::Fit).unwrap_or_default();
        prefix + &body
    }
}

/// The widest head of a run.
fn run_width(seq: &Seq, run: &[usize]) -> Option<usize> {
    run.iter().filter_map(|&i| seq.elems[i].head.as_ref()).map(|h| width(&h.text)).max()
}

/// Runs of consecutive aligned elements of one kind, uninterrupted by blank
/// lines or own-line comments.
fn runs(seq: &Seq, gaps: &[Gap], candidate: &[bool]) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut kind = None;
    for (i, elem) in seq.elems.iter().enumerate() {
        let align = elem.head.as_ref().map(|h| h.align);
        let interrupted = !gaps[i].leading.is_empty() || gaps[i].blank_after;
        if !candidate[i] || interrupted || align != kind {
            if current.len() > 1 {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
        }
        if candidate[i] {
            current.push(i);
            kind = align;
        } else {
            kind = None;
        }
    }
    if current.len() > 1 {
        runs.push(current);
    }
    runs
}
