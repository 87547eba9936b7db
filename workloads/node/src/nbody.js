// The nbody kernel, shared by the kernels workload (model nbody) and jit-warmup (see
// ../../README.md, "Workload kernels", nbody).
//
// Owns: the five bodies' initial state, offsetMomentum, advance and energy, each written in
// exactly the contract's operation order so that every language gets the same bits. Must not:
// reorder or regroup floating-point operations (`dx * bj.mass * mag` stays
// `(dx * bj.mass) * mag`, no precomputed `bj.mass * mag`), reuse bodies between runs, keep the
// bodies in parallel typed arrays, or time or print anything.
'use strict';

const PI = 3.141592653589793;
const SOLAR_MASS = 4 * PI * PI;
const DAYS_PER_YEAR = 365.24;
const DT = 0.01;

/** One body: position, velocity, mass (a plain record, as the contract asks). */
class Body {
  constructor(x, y, z, vx, vy, vz, mass) {
    this.x = x;
    this.y = y;
    this.z = z;
    this.vx = vx;
    this.vy = vy;
    this.vz = vz;
    this.mass = mass;
  }
}

// Per body: x, y, z, vx / DAYS_PER_YEAR, vy / ..., vz / ..., mass / SOLAR_MASS: the contract's
// table digit for digit, in its order (sun, jupiter, saturn, uranus, neptune).
const INITIAL = [
  [0, 0, 0, 0, 0, 0, 1],
  [
    4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
    1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
    9.54791938424326609e-04,
  ],
  [
    8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
    -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
    2.85885980666130812e-04,
  ],
  [
    1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
    2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
    4.36624404335156298e-05,
  ],
  [
    1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
    2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
    5.15138902046611451e-05,
  ],
];

/** New body records (velocities × DAYS_PER_YEAR, masses × SOLAR_MASS), nothing shared. */
function createBodies() {
  return INITIAL.map(
    ([x, y, z, vx, vy, vz, mass]) =>
      new Body(
        x,
        y,
        z,
        vx * DAYS_PER_YEAR,
        vy * DAYS_PER_YEAR,
        vz * DAYS_PER_YEAR,
        mass * SOLAR_MASS,
      ),
  );
}

/** Give the sun the momentum that makes the system's total zero. */
function offsetMomentum(bodies) {
  let px = 0;
  let py = 0;
  let pz = 0;
  for (const b of bodies) {
    px += b.vx * b.mass;
    py += b.vy * b.mass;
    pz += b.vz * b.mass;
  }
  const sun = bodies[0];
  sun.vx = -px / SOLAR_MASS;
  sun.vy = -py / SOLAR_MASS;
  sun.vz = -pz / SOLAR_MASS;
}

/** `steps` time steps of DT. */
function advance(bodies, steps) {
  const count = bodies.length;
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < count; i++) {
      const bi = bodies[i];
      for (let j = i + 1; j < count; j++) {
        const bj = bodies[j];
        const dx = bi.x - bj.x;
        const dy = bi.y - bj.y;
        const dz = bi.z - bj.z;
        const d2 = dx * dx + dy * dy + dz * dz;
        const mag = DT / (d2 * Math.sqrt(d2));
        bi.vx -= dx * bj.mass * mag;
        bi.vy -= dy * bj.mass * mag;
        bi.vz -= dz * bj.mass * mag;
        bj.vx += dx * bi.mass * mag;
        bj.vy += dy * bi.mass * mag;
        bj.vz += dz * bi.mass * mag;
      }
    }
    for (const b of bodies) {
      b.x += DT * b.vx;
      b.y += DT * b.vy;
      b.z += DT * b.vz;
    }
  }
}

/** The system's total energy, kinetic minus potential. */
function energy(bodies) {
  const count = bodies.length;
  let e = 0;
  for (let i = 0; i < count; i++) {
    const bi = bodies[i];
    e += 0.5 * bi.mass * (bi.vx * bi.vx + bi.vy * bi.vy + bi.vz * bi.vz);
    for (let j = i + 1; j < count; j++) {
      const bj = bodies[j];
      const dx = bi.x - bj.x;
      const dy = bi.y - bj.y;
      const dz = bi.z - bj.z;
      e -= (bi.mass * bj.mass) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

/** One full run from fresh bodies: offset the momentum, advance `steps`, return the energy. */
function nbody(steps) {
  const bodies = createBodies();
  offsetMomentum(bodies);
  advance(bodies, steps);
  return energy(bodies);
}

module.exports = { Body, createBodies, offsetMomentum, advance, energy, nbody };
