// BinaryTrees owns the binary-trees kernel of the contract (README, workload kernels), single
// threaded: a stretch tree, a long-lived tree, then 2^(max_depth − d + min_depth) short-lived
// trees of each depth d, every node counted by check().
// It must not pool, reuse or cache nodes: every node is its own Node allocation, left for the
// garbage collector once its tree has been checked.
package arena;

final class BinaryTrees {

    private static final int MIN_DEPTH = 4;

    private BinaryTrees() {}

    /** A tree node; a leaf has no children. */
    private static final class Node {
        private final Node left;
        private final Node right;

        Node(Node left, Node right) {
            this.left = left;
            this.right = right;
        }

        /** 1 for this node plus the nodes below it. */
        long check() {
            return left == null ? 1 : 1 + left.check() + right.check();
        }
    }

    private static Node bottomUp(int depth) {
        return depth > 0 ? new Node(bottomUp(depth - 1), bottomUp(depth - 1)) : new Node(null, null);
    }

    /** The total of every check(), which is also the number of nodes allocated. */
    static long run(int n) {
        int maxDepth = Math.max(MIN_DEPTH + 2, n);
        int stretchDepth = maxDepth + 1;

        long total = bottomUp(stretchDepth).check(); // the stretch tree is garbage from here on

        var longLived = bottomUp(maxDepth);
        for (int depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
            int iterations = 1 << (maxDepth - depth + MIN_DEPTH);
            for (int i = 0; i < iterations; i++) {
                total += bottomUp(depth).check();
            }
        }
        total += longLived.check();
        return total;
    }
}
