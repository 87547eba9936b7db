// The fannkuch-redux kernel: the Benchmarks Game's sequential algorithm, exactly as written in
// ../../README.md ("Workload kernels", fannkuch-redux).
//
// Owns: generating every permutation of 0..n-1 in the contract's order and counting the flips
// of each. Must not: skip or split permutations, use more than one thread, or time or print.
'use strict';

/**
 * { checksum, maxFlips, permutations } over all n! permutations; checksum adds the flips of
 * even-numbered permutations and subtracts those of odd-numbered ones.
 */
function fannkuchRedux(n) {
  const perm1 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    perm1[i] = i;
  }
  const perm = new Int32Array(n);
  const count = new Int32Array(n);
  let r = n;
  let checksum = 0;
  let maxFlips = 0;
  let permCount = 0;

  for (;;) {
    while (r !== 1) {
      count[r - 1] = r;
      r -= 1;
    }

    perm.set(perm1);
    let flips = 0;
    let k = perm[0];
    while (k !== 0) {
      // reverse perm[0..=k]
      for (let lo = 0, hi = k; lo < hi; lo++, hi--) {
        const t = perm[lo];
        perm[lo] = perm[hi];
        perm[hi] = t;
      }
      flips += 1;
      k = perm[0];
    }
    maxFlips = Math.max(maxFlips, flips);
    checksum += permCount % 2 === 0 ? flips : -flips;

    // Next permutation.
    for (;;) {
      if (r === n) {
        // permCount numbers permutations from 0: the last one was number permCount.
        return { checksum, maxFlips, permutations: permCount + 1 };
      }
      const perm0 = perm1[0];
      for (let i = 0; i < r; i++) {
        perm1[i] = perm1[i + 1];
      }
      perm1[r] = perm0;
      count[r] -= 1;
      if (count[r] > 0) {
        break;
      }
      r += 1;
    }
    permCount += 1;
  }
}

module.exports = { fannkuchRedux };
