//! The layer graph: which layer reads from which, cycles (E0206), and the
//! deploy order.
//!
//! Input: the cross-layer references recorded while checking layer bodies.
//! Output: [`LayerGraph`] (dependencies per layer, with the span of the first
//! reference) and cycle errors. Invariants: a layer naming itself was reported
//! when seen and is not an edge here; the deploy order is topological, ties
//! broken by declaration order; every layer of a cycle is still ordered (after
//! the others) so later stages never lose a layer.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use crate::check::checker::LayerEdge;
use crate::check::error::CheckError;
use crate::check::scope::{DeclRef, Scope};
use crate::source::Span;

/// Declaration → the declarations it refers to, each with its first reference.
pub type Edges = BTreeMap<DeclRef, Vec<(DeclRef, Span)>>;

/// One step of a cycle: `from` refers to `to` at `span`.
pub type Step = (DeclRef, DeclRef, Span);

/// Which layers each layer reads from.
#[derive(Debug, Clone, Default)]
pub struct LayerGraph {
    /// Layer → the layers it depends on, each with its first reference.
    pub depends_on: Edges,
}

/// Group references by their source (first reference per pair wins).
pub fn edges(references: &[LayerEdge]) -> Edges {
    let mut edges: Edges = BTreeMap::new();
    for edge in references {
        let list = edges.entry(edge.from).or_default();
        if !list.iter().any(|(to, _)| *to == edge.to) {
            list.push((edge.to, edge.span));
        }
    }
    edges
}

/// One cycle through each strongly connected group of two or more nodes.
pub fn cycles(edges: &Edges) -> Vec<Vec<Step>> {
    strongly_connected(edges).into_iter().filter(|c| c.len() > 1).map(|c| cycle_through(edges, &c)).collect()
}

impl LayerGraph {
    /// Build the graph from recorded references.
    pub fn new(references: &[LayerEdge]) -> LayerGraph {
        LayerGraph { depends_on: edges(references) }
    }

    /// The layers `layer` depends on.
    pub fn dependencies(&self, layer: DeclRef) -> impl Iterator<Item = DeclRef> + '_ {
        self.depends_on.get(&layer).into_iter().flatten().map(|(to, _)| *to)
    }

    /// The layers of `scope` in deploy order, each with its dependencies.
    pub fn order(&self, scope: &Scope) -> Vec<(DeclRef, Vec<DeclRef>)> {
        let position: HashMap<DeclRef, usize> =
            scope.layers.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let mut waiting: Vec<usize> = vec![0; scope.layers.len()];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); scope.layers.len()];
        for (i, layer) in scope.layers.iter().enumerate() {
            for dependency in self.dependencies(*layer) {
                if let Some(&j) = position.get(&dependency) {
                    if let Some(count) = waiting.get_mut(i) {
                        *count += 1;
                    }
                    if let Some(list) = dependents.get_mut(j) {
                        list.push(i);
                    }
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            waiting.iter().enumerate().filter(|(_, n)| **n == 0).map(|(i, _)| Reverse(i)).collect();
        let mut order = Vec::with_capacity(scope.layers.len());
        let mut placed = vec![false; scope.layers.len()];
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            if let Some(flag) = placed.get_mut(i) {
                *flag = true;
            }
            for &j in dependents.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(count) = waiting.get_mut(j) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        ready.push(Reverse(j));
                    }
                }
            }
        }
        // Layers in a cycle (already reported) follow in declaration order.
        order.extend((0..scope.layers.len()).filter(|i| !placed.get(*i).copied().unwrap_or(true)));
        order
            .into_iter()
            .filter_map(|i| scope.layers.get(i))
            .map(|layer| {
                let deps = self.dependencies(*layer).filter(|d| position.contains_key(d)).collect();
                (*layer, deps)
            })
            .collect()
    }

    /// One E0206 per strongly connected group of layers, labelling each
    /// reference along one cycle through it.
    pub fn cycles(&self, name_of: &dyn Fn(DeclRef) -> String) -> Vec<CheckError> {
        cycles(&self.depends_on)
            .into_iter()
            .map(|path| CheckError::LayerCycle {
                layers: path.iter().map(|(from, _, _)| name_of(*from)).collect(),
                references: path
                    .iter()
                    .map(|(from, to, span)| (*span, name_of(*from), name_of(*to)))
                    .collect(),
            })
            .collect()
    }
}

/// A cycle inside `component`, starting at its first node: a breadth-first
/// search back to the start, so the reported cycle is a shortest one.
fn cycle_through(edges: &Edges, component: &[DeclRef]) -> Vec<Step> {
    let Some(&start) = component.iter().min() else { return Vec::new() };
    let inside = |d: &DeclRef| component.contains(d);
    let mut came_from: HashMap<DeclRef, (DeclRef, Span)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for (to, span) in edges.get(&at).into_iter().flatten() {
            if !inside(to) || came_from.contains_key(to) {
                continue;
            }
            came_from.insert(*to, (at, *span));
            if *to == start {
                queue.clear();
                break;
            }
            queue.push_back(*to);
        }
    }
    let mut path = Vec::new();
    let mut at = start;
    while let Some(&(from, span)) = came_from.get(&at) {
        path.push((from, at, span));
        at = from;
        if at == start || path.len() > component.len() {
            break;
        }
    }
    path.reverse();
    path
}

/// Tarjan's algorithm, iteratively (a thousand layers must not overflow the stack).
fn strongly_connected(graph: &Edges) -> Vec<Vec<DeclRef>> {
    let nodes: Vec<DeclRef> = graph.keys().copied().collect();
    let mut index_of: HashMap<DeclRef, usize> = HashMap::new();
    let mut low: HashMap<DeclRef, usize> = HashMap::new();
    let mut on_stack: HashMap<DeclRef, bool> = HashMap::new();
    let mut stack: Vec<DeclRef> = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    for root in nodes {
        if index_of.contains_key(&root) {
            continue;
        }
        // (node, next dependency to visit)
        let mut work: Vec<(DeclRef, usize)> = vec![(root, 0)];
        while let Some(&mut (node, ref mut next)) = work.last_mut() {
            if *next == 0 && !index_of.contains_key(&node) {
                index_of.insert(node, counter);
                low.insert(node, counter);
                counter += 1;
                stack.push(node);
                on_stack.insert(node, true);
            }
            let dependency = graph.get(&node).and_then(|d| d.get(*next)).map(|(to, _)| *to);
            *next += 1;
            match dependency {
                Some(to) if !index_of.contains_key(&to) => work.push((to, 0)),
                Some(to) => {
                    if on_stack.get(&to).copied().unwrap_or(false) {
                        let candidate = index_of.get(&to).copied().unwrap_or(usize::MAX);
                        lower(&mut low, node, candidate);
                    }
                }
                None => {
                    work.pop();
                    let node_low = low.get(&node).copied().unwrap_or(0);
                    if let Some(&(parent, _)) = work.last() {
                        lower(&mut low, parent, node_low);
                    }
                    if index_of.get(&node) == Some(&node_low) {
                        let mut component = Vec::new();
                        while let Some(member) = stack.pop() {
                            on_stack.insert(member, false);
                            component.push(member);
                            if member == node {
                                break;
                            }
                        }
                        components.push(component);
                    }
                }
            }
        }
    }
    components
}

fn lower(low: &mut HashMap<DeclRef, usize>, node: DeclRef, candidate: usize) {
    if let Some(value) = low.get_mut(&node) {
        *value = (*value).min(candidate);
    }
}
