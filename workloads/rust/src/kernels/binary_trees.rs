//! The binary-trees kernel as the Benchmarks Game defines it, single-threaded and as the
//! workload contract writes it: every node its own `Box` allocation with `Option<Box<Node>>`
//! children, the stretch tree, the long-lived tree, and the iterations per depth, each tree
//! dropped (freed node by node) after its check.
//! It must not time, format or print anything, pool, arena or reuse nodes, or count nodes
//! by formula instead of walking the trees.

/// One tree node; a leaf has no children.
struct Node {
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

const MIN_DEPTH: usize = 4;

/// A complete tree of the given depth, built bottom-up (left subtree first).
fn bottom_up(depth: usize) -> Box<Node> {
    if depth > 0 {
        Box::new(Node {
            left: Some(bottom_up(depth - 1)),
            right: Some(bottom_up(depth - 1)),
        })
    } else {
        Box::new(Node {
            left: None,
            right: None,
        })
    }
}

impl Node {
    /// The number of nodes, by walking the tree.
    fn check(&self) -> u64 {
        let subtree = |child: &Option<Box<Node>>| child.as_ref().map_or(0, |node| node.check());
        1 + subtree(&self.left) + subtree(&self.right)
    }
}

/// The total of every check for size `n`; it equals the number of nodes allocated.
pub fn binary_trees(n: usize) -> u64 {
    let max_depth = n.max(MIN_DEPTH + 2);
    let stretch_depth = max_depth + 1;
    // The stretch tree is dropped at the end of this statement.
    let mut total = bottom_up(stretch_depth).check();
    let long_lived = bottom_up(max_depth);
    for depth in (MIN_DEPTH..=max_depth).step_by(2) {
        let shift = max_depth - depth + MIN_DEPTH;
        let iterations = u32::try_from(shift)
            .ok()
            .and_then(|shift| 1u64.checked_shl(shift))
            .expect("binary-trees: n is far too large (2^64 or more trees of one depth)");
        for _ in 0..iterations {
            total += bottom_up(depth).check();
        }
    }
    total + long_lived.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_contract_vectors() {
        assert_eq!(binary_trees(6), 4398);
        assert_eq!(binary_trees(10), 135_854);
    }

    #[test]
    fn small_n_uses_the_minimum_depth() {
        // max_depth is at least MIN_DEPTH + 2 = 6, so every n up to 6 is the same run.
        for n in 1..=6 {
            assert_eq!(binary_trees(n), 4398, "n={n}");
        }
    }

    #[test]
    fn check_counts_the_nodes_of_a_complete_tree() {
        for depth in 0..8 {
            assert_eq!(bottom_up(depth).check(), (1 << (depth + 1)) - 1, "depth={depth}");
        }
    }
}
