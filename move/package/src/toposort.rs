//! A directed graph with insertion-ordered nodes and edges, and the depth-first topological sort
//! the reference toolchain uses for both of its ordering decisions: the order in which packages
//! are built (the package graph) and the order in which a package's modules are emitted (the
//! module dependency graph). Ties between unrelated nodes are broken by insertion order exactly as
//! that sort breaks them, which is why this is not a plain Kahn sort: the bundle's module order
//! is observable on chain and must come out identical.
//!
//! The rule (petgraph 0.5's `toposort` over a `GraphMap`): visit the nodes in insertion order as
//! roots; from each unvisited root run an explicit-stack DFS in which a node, when first seen on
//! top of the stack, pushes its unvisited successors in edge-insertion order (so the last added
//! successor is explored first), and is finished when seen on top again. The result is the
//! reverse of the finishing order.

use std::collections::BTreeMap;

/// A directed graph over `N` that remembers the order in which nodes and edges were added.
#[derive(Clone, Debug)]
pub struct DiGraph<N> {
    nodes: Vec<N>,
    index: BTreeMap<N, usize>,
    /// Successors of each node, in the order their edges were first added.
    successors: Vec<Vec<usize>>,
}

impl<N: Ord + Clone> Default for DiGraph<N> {
    fn default() -> Self {
        DiGraph {
            nodes: Vec::new(),
            index: BTreeMap::new(),
            successors: Vec::new(),
        }
    }
}

/// The graph has a cycle through this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle<N>(pub N);

impl<N: Ord + Clone> DiGraph<N> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `node` if it is new; returns its position in insertion order.
    pub fn add_node(&mut self, node: N) -> usize {
        if let Some(&i) = self.index.get(&node) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(node.clone());
        self.index.insert(node, i);
        self.successors.push(Vec::new());
        i
    }

    /// Adds the edge `from -> to` (and the nodes, `from` first, if new). Adding an edge twice
    /// keeps its first position.
    pub fn add_edge(&mut self, from: N, to: N) {
        let a = self.add_node(from);
        let b = self.add_node(to);
        if !self.successors[a].contains(&b) {
            self.successors[a].push(b);
        }
    }

    pub fn contains(&self, node: &N) -> bool {
        self.index.contains_key(node)
    }

    /// The nodes in insertion order.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The successors of `node` in edge-insertion order (empty for an unknown node).
    pub fn successors(&self, node: &N) -> Vec<&N> {
        match self.index.get(node) {
            Some(&i) => self.successors[i].iter().map(|&j| &self.nodes[j]).collect(),
            None => Vec::new(),
        }
    }

    /// Every node, each before all the nodes it has an edge to (see the module documentation for
    /// how ties are broken), or a node on a cycle.
    pub fn toposort(&self) -> Result<Vec<N>, Cycle<N>> {
        let n = self.nodes.len();
        let mut discovered = vec![false; n];
        let mut finished = vec![false; n];
        let mut finish_order = Vec::with_capacity(n);
        let mut stack = Vec::new();
        for root in 0..n {
            if discovered[root] {
                continue;
            }
            stack.push(root);
            while let Some(&top) = stack.last() {
                if !discovered[top] {
                    discovered[top] = true;
                    for &succ in &self.successors[top] {
                        if succ == top {
                            return Err(Cycle(self.nodes[top].clone()));
                        }
                        if !discovered[succ] {
                            stack.push(succ);
                        }
                    }
                } else {
                    stack.pop();
                    if !finished[top] {
                        finished[top] = true;
                        finish_order.push(top);
                    }
                }
            }
        }
        finish_order.reverse();
        // In an acyclic graph every edge goes forward in this order; a backward edge is a cycle.
        let mut position = vec![0; n];
        for (pos, &node) in finish_order.iter().enumerate() {
            position[node] = pos;
        }
        for (from, succs) in self.successors.iter().enumerate() {
            if succs.iter().any(|&to| position[to] <= position[from]) {
                return Err(Cycle(self.nodes[from].clone()));
            }
        }
        Ok(finish_order
            .into_iter()
            .map(|i| self.nodes[i].clone())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_come_after_their_users() {
        let mut g = DiGraph::new();
        g.add_edge("string", "option");
        g.add_edge("string", "vector");
        g.add_edge("option", "vector");
        g.add_node("alone");
        assert_eq!(
            g.toposort().unwrap(),
            ["alone", "string", "option", "vector"]
        );
    }

    #[test]
    fn last_added_successor_is_explored_first() {
        // From `a`, `c` is explored first and finishes first, so it comes last.
        let mut g = DiGraph::new();
        g.add_edge("a", "b");
        g.add_edge("a", "c");
        assert_eq!(g.toposort().unwrap(), ["a", "b", "c"]);
        let mut g = DiGraph::new();
        g.add_edge("a", "c");
        g.add_edge("a", "b");
        assert_eq!(g.toposort().unwrap(), ["a", "c", "b"]);
    }

    #[test]
    fn cycles_are_reported() {
        let mut g = DiGraph::new();
        g.add_edge(1, 2);
        g.add_edge(2, 3);
        g.add_edge(3, 1);
        assert!(g.toposort().is_err());
        let mut g = DiGraph::new();
        g.add_edge(1, 1);
        assert_eq!(g.toposort(), Err(Cycle(1)));
    }
}
