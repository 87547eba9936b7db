// The spectral-norm kernel (see ../../README.md, "Workload kernels", spectral-norm).
//
// Owns: A(i, j), the products Av, Atv and AtAv, and the power iteration, in exactly the
// contract's order: every sum accumulates from 0.0 with j (or i) ascending. Must not: cache the
// matrix, reorder or split a sum, use more than one thread, or time or print anything.
'use strict';

const POWER_STEPS = 10;

/** A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1): integer arithmetic (exact in a double), one division. */
function a(i, j) {
  return 1.0 / (((i + j) * (i + j + 1)) / 2 + i + 1);
}

/** out = A v */
function multiplyAv(v, out) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let sum = 0.0;
    for (let j = 0; j < n; j++) {
      sum += a(i, j) * v[j];
    }
    out[i] = sum;
  }
}

/** out = Aᵀ v */
function multiplyAtv(v, out) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let sum = 0.0;
    for (let j = 0; j < n; j++) {
      sum += a(j, i) * v[j];
    }
    out[i] = sum;
  }
}

/** out = Aᵀ A v, through the scratch vector `tmp`. */
function multiplyAtAv(v, out, tmp) {
  multiplyAv(v, tmp);
  multiplyAtv(tmp, out);
}

/** The spectral norm of the n × n matrix A, by 10 steps of the power method. */
function spectralNorm(n) {
  const u = new Float64Array(n).fill(1.0);
  const v = new Float64Array(n);
  const tmp = new Float64Array(n);
  for (let step = 0; step < POWER_STEPS; step++) {
    multiplyAtAv(u, v, tmp);
    multiplyAtAv(v, u, tmp);
  }
  let vBv = 0.0;
  let vv = 0.0;
  for (let i = 0; i < n; i++) {
    vBv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  return Math.sqrt(vBv / vv);
}

module.exports = { spectralNorm };
