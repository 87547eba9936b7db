"""The `nbody` kernel, shared by the `kernels` workload (model `nbody`) and `jit-warmup`
(contract: ../../README.md, "Workload `kernels`").

Owns: the five bodies' initial state, offset_momentum, advance and energy, written in exactly
the contract's operation order so that every language gets the same bits. Must not: reorder or
fuse floating-point operations (`dx * bj_mass * mag` stays `(dx * bj_mass) * mag`; no
precomputed `mass * mag`, no `** -1.5`), reuse bodies between runs, time or print anything.
"""

from math import sqrt

PI = 3.141592653589793
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
DT = 0.01

# Per body: x, y, z, vx / DAYS_PER_YEAR, vy / ..., vz / ..., mass / SOLAR_MASS (the contract's
# table, in its order: sun, jupiter, saturn, uranus, neptune).
_INITIAL = (
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    (
        4.84143144246472090e00,
        -1.16032004402742839e00,
        -1.03622044471123109e-01,
        1.66007664274403694e-03,
        7.69901118419740425e-03,
        -6.90460016972063023e-05,
        9.54791938424326609e-04,
    ),
    (
        8.34336671824457987e00,
        4.12479856412430479e00,
        -4.03523417114321381e-01,
        -2.76742510726862411e-03,
        4.99852801234917238e-03,
        2.30417297573763929e-05,
        2.85885980666130812e-04,
    ),
    (
        1.28943695621391310e01,
        -1.51111514016986312e01,
        -2.23307578892655734e-01,
        2.96460137564761618e-03,
        2.37847173959480950e-03,
        -2.96589568540237556e-05,
        4.36624404335156298e-05,
    ),
    (
        1.53796971148509165e01,
        -2.59193146099879641e01,
        1.79258772950371181e-01,
        2.68067772490389322e-03,
        1.62824170038242295e-03,
        -9.51592254519715870e-05,
        5.15138902046611451e-05,
    ),
)

# Indices into a body record (a list, as the contract allows for Python: mutable, and the
# interpreter indexes a list faster than it looks up an attribute).
X, Y, Z, VX, VY, VZ, MASS = range(7)


def new_bodies():
    """Fresh body records [x, y, z, vx, vy, vz, mass], velocities and masses scaled as written."""
    return [
        [x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * SOLAR_MASS]
        for x, y, z, vx, vy, vz, mass in _INITIAL
    ]


def offset_momentum(bodies):
    px = py = pz = 0.0
    for body in bodies:
        px += body[VX] * body[MASS]
        py += body[VY] * body[MASS]
        pz += body[VZ] * body[MASS]
    sun = bodies[0]
    sun[VX] = -px / SOLAR_MASS
    sun[VY] = -py / SOLAR_MASS
    sun[VZ] = -pz / SOLAR_MASS


def _pairs(bodies):
    """(bi, bj) for i < j, in the contract's loop order: the same list objects, not copies."""
    return [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]


def advance(bodies, steps):
    pairs = _pairs(bodies)
    dt = DT
    for _ in range(steps):
        for bi, bj in pairs:
            dx = bi[X] - bj[X]
            dy = bi[Y] - bj[Y]
            dz = bi[Z] - bj[Z]
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * sqrt(d2))
            bi_mass = bi[MASS]
            bj_mass = bj[MASS]
            # Python evaluates `a * b * c` as `(a * b) * c`, the contract's order.
            bi[VX] -= dx * bj_mass * mag
            bi[VY] -= dy * bj_mass * mag
            bi[VZ] -= dz * bj_mass * mag
            bj[VX] += dx * bi_mass * mag
            bj[VY] += dy * bi_mass * mag
            bj[VZ] += dz * bi_mass * mag
        for body in bodies:
            body[X] += dt * body[VX]
            body[Y] += dt * body[VY]
            body[Z] += dt * body[VZ]


def energy(bodies):
    e = 0.0
    for i, bi in enumerate(bodies):
        e += 0.5 * bi[MASS] * (bi[VX] * bi[VX] + bi[VY] * bi[VY] + bi[VZ] * bi[VZ])
        for bj in bodies[i + 1 :]:
            dx = bi[X] - bj[X]
            dy = bi[Y] - bj[Y]
            dz = bi[Z] - bj[Z]
            e -= (bi[MASS] * bj[MASS]) / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def run(steps):
    """One whole kernel from fresh bodies: the energy after `steps` steps, as a float."""
    bodies = new_bodies()
    offset_momentum(bodies)
    advance(bodies, steps)
    return energy(bodies)


def format_checksum(value):
    return "%.9f" % value
