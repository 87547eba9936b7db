// The cpu-scale kernel: partial(c, items), exactly as written in the contract.
//
// Owns: the 32-bit arithmetic of one chunk. Must not: schedule, time, print, or take any
// shortcut that skips iterations. All arithmetic is explicit unsigned 32-bit: Math.imul for
// the multiplication modulo 2^32, `>>> 0` to read a value back as unsigned, `>>>` as the
// logical shift.
'use strict';

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;

/** The partial result of chunk `chunkIndex` over `items` items, an unsigned 32-bit integer. */
function partial(chunkIndex, items) {
  let h = FNV_OFFSET_BASIS;
  const base = Math.imul(chunkIndex, items) >>> 0; // (c * items) mod 2^32
  for (let i = 0; i < items; i++) {
    const v = (base + i) >>> 0; // (base + i) mod 2^32
    h = Math.imul(h ^ v, FNV_PRIME) >>> 0; // ((h XOR v) * 16777619) mod 2^32
    h = (h ^ (h >>> 15)) >>> 0; // h XOR (h >> 15), logical shift
  }
  return h;
}

module.exports = { partial };
