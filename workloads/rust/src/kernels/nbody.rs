//! The nbody kernel exactly as the workload contract defines it (Benchmarks Game, sequential):
//! five body records built fresh from the contract's table, offset_momentum, `advance` with
//! dt = 0.01, and the energy, every operation in the order the contract writes it. Shared by
//! `kernels nbody` and `jit-warmup`.
//! It must not time, format or print anything, keep state between calls, reassociate or fuse
//! floating-point operations, or store the bodies as parallel arrays.

// The contract's PI = 3.141592653589793 is this very f64 (its shortest decimal form).
const PI: f64 = std::f64::consts::PI;
const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;
/// The time step of every `advance`.
const DT: f64 = 0.01;

/// One body: position, velocity and mass.
#[derive(Debug, Clone, Copy)]
struct Body {
    x: f64,
    y: f64,
    z: f64,
    vx: f64,
    vy: f64,
    vz: f64,
    mass: f64,
}

/// The contract's table as written: position, velocity in units per day, mass in solar
/// masses. `Body::new` does the unit conversions, so that they are computed as the contract
/// says (`value * DAYS_PER_YEAR`, `value * SOLAR_MASS`). One row per body, as in the table.
/// The literals keep the table's 18 significant digits, more than an f64 holds, so that they
/// can be compared with it digit for digit; each one parses to the nearest f64.
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
const INITIAL: [([f64; 3], [f64; 3], f64); 5] = [
    // sun
    ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], 1.0),
    // jupiter
    (
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
        [1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05],
        9.54791938424326609e-04,
    ),
    // saturn
    (
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
        [-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05],
        2.85885980666130812e-04,
    ),
    // uranus
    (
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
        [2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05],
        4.36624404335156298e-05,
    ),
    // neptune
    (
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
        [2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05],
        5.15138902046611451e-05,
    ),
];

impl Body {
    fn new(([x, y, z], [vx, vy, vz], mass): ([f64; 3], [f64; 3], f64)) -> Self {
        Body {
            x,
            y,
            z,
            vx: vx * DAYS_PER_YEAR,
            vy: vy * DAYS_PER_YEAR,
            vz: vz * DAYS_PER_YEAR,
            mass: mass * SOLAR_MASS,
        }
    }
}

/// New body records, sun first, with the sun's velocity offset so the total momentum is zero.
fn new_system() -> [Body; 5] {
    let mut bodies = INITIAL.map(Body::new);
    offset_momentum(&mut bodies);
    bodies
}

fn offset_momentum(bodies: &mut [Body; 5]) {
    let (mut px, mut py, mut pz) = (0.0, 0.0, 0.0);
    for body in bodies.iter() {
        px += body.vx * body.mass;
        py += body.vy * body.mass;
        pz += body.vz * body.mass;
    }
    let sun = &mut bodies[0];
    sun.vx = -px / SOLAR_MASS;
    sun.vy = -py / SOLAR_MASS;
    sun.vz = -pz / SOLAR_MASS;
}

/// One step: every pair (i < j) updates both velocities, then every position moves.
fn advance(bodies: &mut [Body; 5], dt: f64) {
    for i in 0..bodies.len() {
        // Body i and the bodies after it, borrowed mutably at the same time.
        let (up_to_i, after_i) = bodies.split_at_mut(i + 1);
        let bi = &mut up_to_i[i];
        for bj in after_i.iter_mut() {
            let dx = bi.x - bj.x;
            let dy = bi.y - bj.y;
            let dz = bi.z - bj.z;
            let d2 = dx * dx + dy * dy + dz * dz;
            let mag = dt / (d2 * d2.sqrt());
            bi.vx -= dx * bj.mass * mag;
            bi.vy -= dy * bj.mass * mag;
            bi.vz -= dz * bj.mass * mag;
            bj.vx += dx * bi.mass * mag;
            bj.vy += dy * bi.mass * mag;
            bj.vz += dz * bi.mass * mag;
        }
    }
    for body in bodies.iter_mut() {
        body.x += dt * body.vx;
        body.y += dt * body.vy;
        body.z += dt * body.vz;
    }
}

/// Kinetic energy of every body minus the potential energy of every pair.
fn energy(bodies: &[Body; 5]) -> f64 {
    let mut e = 0.0;
    for (i, bi) in bodies.iter().enumerate() {
        e += 0.5 * bi.mass * (bi.vx * bi.vx + bi.vy * bi.vy + bi.vz * bi.vz);
        for bj in &bodies[i + 1..] {
            let dx = bi.x - bj.x;
            let dy = bi.y - bj.y;
            let dz = bi.z - bj.z;
            e -= (bi.mass * bj.mass) / (dx * dx + dy * dy + dz * dz).sqrt();
        }
    }
    e
}

/// The whole kernel from new bodies: offset the momentum, advance `steps` times, and return
/// the energy.
pub fn energy_after(steps: usize) -> f64 {
    let mut bodies = new_system();
    for _ in 0..steps {
        advance(&mut bodies, DT);
    }
    energy(&bodies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::float_checksum;

    #[test]
    fn matches_the_small_contract_vector() {
        assert_eq!(float_checksum(energy_after(1000)), "-0.169087605");
    }

    /// About 3 s in release: run with `cargo test --release -- --ignored`.
    #[test]
    #[ignore = "the contract's large vector takes seconds"]
    fn matches_the_large_contract_vector() {
        assert_eq!(float_checksum(energy_after(50_000_000)), "-0.169059907");
    }

    #[test]
    fn offset_momentum_cancels_the_total_momentum() {
        let bodies = new_system();
        let px: f64 = bodies.iter().map(|body| body.vx * body.mass).sum();
        assert!(px.abs() < 1e-15, "px = {px}");
        // Before any step, the energy is the Benchmarks Game's well-known -0.169075164.
        assert_eq!(float_checksum(energy(&bodies)), "-0.169075164");
    }

    #[test]
    fn every_call_starts_from_new_bodies() {
        assert_eq!(energy_after(10).to_bits(), energy_after(10).to_bits());
        assert_eq!(float_checksum(energy_after(0)), "-0.169075164");
    }
}
