"""The `binary-trees` kernel of the `kernels` workload (contract: ../../README.md,
"Workload `kernels`").

Owns: bottom-up tree building, the recursive check, and the Benchmarks Game's sequence of trees
(stretch, long-lived, then 2^(max_depth - d + min_depth) trees per depth), single-threaded.
Must not: share, pool or reuse nodes (every node is a new tuple), keep a tree after its check
(except the long-lived one), tune the garbage collector, time or print anything.
"""

MIN_DEPTH = 4


def bottom_up(depth):
    """A complete tree of `depth` levels below its root; a node is a tuple (left, right).

    Children are named before the tuple is built on purpose: a literal `(None, None)` is a
    constant that the compiler folds into one shared object, so every leaf would be the same
    allocation. `(left, right)` of two variables is a new tuple at every call.
    """
    if depth > 0:
        depth -= 1
        left = bottom_up(depth)
        right = bottom_up(depth)
    else:
        left = right = None
    return (left, right)


def check(tree):
    """1 + check(left) + check(right); 1 for a leaf."""
    left, right = tree
    if left is None:
        return 1
    return 1 + check(left) + check(right)


def run(n):
    """The total of every check: also the number of nodes allocated."""
    max_depth = max(MIN_DEPTH + 2, n)
    stretch_depth = max_depth + 1
    total = check(bottom_up(stretch_depth))  # the stretch tree is dropped once checked

    long_lived = bottom_up(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        for _ in range(iterations):
            total += check(bottom_up(depth))  # each tree is dropped after its check
    total += check(long_lived)
    return total


def format_checksum(value):
    return str(value)
