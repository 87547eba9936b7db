// The binary-trees kernel, single-threaded (see ../../README.md, "Workload kernels",
// binary-trees).
//
// Owns: building and checking the stretch, long-lived and short-lived trees in the contract's
// order. Must not: pool, reuse or cache nodes (every node is its own `{ left, right }` object,
// left to the garbage collector once its tree is checked), or time or print anything.
'use strict';

const MIN_DEPTH = 4;

/** A perfect tree of depth `depth`; a leaf has null children. */
function bottomUp(depth) {
  return depth > 0
    ? { left: bottomUp(depth - 1), right: bottomUp(depth - 1) }
    : { left: null, right: null };
}

/** The number of nodes in `tree`. */
function check(tree) {
  return tree.left === null ? 1 : 1 + check(tree.left) + check(tree.right);
}

/** The total of every check, which is also the number of nodes allocated. */
function binaryTrees(n) {
  const maxDepth = Math.max(MIN_DEPTH + 2, n);
  const stretchDepth = maxDepth + 1;

  let total = check(bottomUp(stretchDepth)); // the stretch tree is garbage from here on

  const longLived = bottomUp(maxDepth);
  for (let depth = MIN_DEPTH; depth <= maxDepth; depth += 2) {
    // 1 << (maxDepth - depth + MIN_DEPTH), without int32 overflow past a shift of 30.
    const iterations = 2 ** (maxDepth - depth + MIN_DEPTH);
    for (let i = 0; i < iterations; i++) {
      total += check(bottomUp(depth));
    }
  }
  total += check(longLived);
  return total;
}

module.exports = { binaryTrees };
