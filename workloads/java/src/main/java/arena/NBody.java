// NBody owns the nbody kernel of the contract (README, workload kernels): five bodies as Body
// objects with mutable fields, offset momentum, advance(dt = 0.01) n times, then the energy.
// kernels/nbody and jit-warmup both run it.
// It must not reorder or fuse the floating-point operations (Java never contracts a * b + c
// into an FMA unless Math.fma is called, and evaluates left to right, so the code is written in
// the contract's order), cache bodies between runs, or do I/O.
package arena;

final class NBody {

    private static final double PI = 3.141592653589793;
    private static final double SOLAR_MASS = 4 * PI * PI;
    private static final double DAYS_PER_YEAR = 365.24;
    private static final double DT = 0.01;

    private NBody() {}

    /** One body: position, velocity and mass; a class with fields, not parallel arrays. */
    static final class Body {
        double x;
        double y;
        double z;
        double vx;
        double vy;
        double vz;
        final double mass;

        /** The contract's table row: velocities per year (× DAYS_PER_YEAR), masses in suns (× SOLAR_MASS). */
        Body(double x, double y, double z, double vxPerYear, double vyPerYear, double vzPerYear, double solarMasses) {
            this.x = x;
            this.y = y;
            this.z = z;
            this.vx = vxPerYear * DAYS_PER_YEAR;
            this.vy = vyPerYear * DAYS_PER_YEAR;
            this.vz = vzPerYear * DAYS_PER_YEAR;
            this.mass = solarMasses * SOLAR_MASS;
        }
    }

    /** New records for the sun, Jupiter, Saturn, Uranus and Neptune, momentum already offset. */
    static Body[] newSystem() {
        Body[] bodies = {
            new Body(0, 0, 0, 0, 0, 0, 1),
            new Body(
                    4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
                    1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
                    9.54791938424326609e-04),
            new Body(
                    8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
                    -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
                    2.85885980666130812e-04),
            new Body(
                    1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
                    2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
                    4.36624404335156298e-05),
            new Body(
                    1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
                    2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
                    5.15138902046611451e-05),
        };
        offsetMomentum(bodies);
        return bodies;
    }

    private static void offsetMomentum(Body[] bodies) {
        double px = 0;
        double py = 0;
        double pz = 0;
        for (var body : bodies) {
            px += body.vx * body.mass;
            py += body.vy * body.mass;
            pz += body.vz * body.mass;
        }
        var sun = bodies[0];
        sun.vx = -px / SOLAR_MASS;
        sun.vy = -py / SOLAR_MASS;
        sun.vz = -pz / SOLAR_MASS;
    }

    /** {@code steps} steps of dt = 0.01: pairwise velocity updates, then every position. */
    static void advance(Body[] bodies, int steps) {
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < bodies.length; i++) {
                var bi = bodies[i];
                for (int j = i + 1; j < bodies.length; j++) {
                    var bj = bodies[j];
                    double dx = bi.x - bj.x;
                    double dy = bi.y - bj.y;
                    double dz = bi.z - bj.z;
                    double d2 = dx * dx + dy * dy + dz * dz;
                    double mag = DT / (d2 * Math.sqrt(d2));
                    bi.vx -= dx * bj.mass * mag;
                    bi.vy -= dy * bj.mass * mag;
                    bi.vz -= dz * bj.mass * mag;
                    bj.vx += dx * bi.mass * mag;
                    bj.vy += dy * bi.mass * mag;
                    bj.vz += dz * bi.mass * mag;
                }
            }
            for (var body : bodies) {
                body.x += DT * body.vx;
                body.y += DT * body.vy;
                body.z += DT * body.vz;
            }
        }
    }

    /** The system's total energy: kinetic minus the pairwise potential. */
    static double energy(Body[] bodies) {
        double e = 0;
        for (int i = 0; i < bodies.length; i++) {
            var bi = bodies[i];
            e += 0.5 * bi.mass * (bi.vx * bi.vx + bi.vy * bi.vy + bi.vz * bi.vz);
            for (int j = i + 1; j < bodies.length; j++) {
                var bj = bodies[j];
                double dx = bi.x - bj.x;
                double dy = bi.y - bj.y;
                double dz = bi.z - bj.z;
                e -= (bi.mass * bj.mass) / Math.sqrt(dx * dx + dy * dy + dz * dz);
            }
        }
        return e;
    }

    /** One whole run from fresh bodies, as kernels/nbody and each jit-warmup iteration do it. */
    static double run(int steps) {
        var bodies = newSystem();
        advance(bodies, steps);
        return energy(bodies);
    }
}
