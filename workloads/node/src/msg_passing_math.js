// The arithmetic of msg-passing, shared by the main thread and msg_passing_worker.js.
//
// Owns: the ring's first token, one hop's token step and the consumer's fold, all unsigned
// 32-bit (Math.imul for the product modulo 2^32, `>>> 0` to read it back as unsigned).
// Must not: schedule, time, print, or know which model hands the values over.
'use strict';

const RING_SEED = 2166136261;
const FNV_PRIME = 16777619;

/** The token task `k` sends on: ((t XOR (k + 1)) * 16777619) mod 2^32. */
function ringStep(token, k) {
  return Math.imul(token ^ (k + 1), FNV_PRIME) >>> 0;
}

/** The consumer's fold of one value: (acc * 31 + v) mod 2^32. */
function foldValue(acc, value) {
  return (Math.imul(acc, 31) + value) >>> 0;
}

module.exports = { RING_SEED, ringStep, foldValue };
