// nbody.go owns the nbody kernel exactly as ../README.md writes it (the Benchmarks Game's five
// bodies, offset_momentum, advance with dt = 0.01, energy), shared by the kernels model nbody
// and by jit-warmup. Every floating-point operation is done in the written order, in float64.
// It must not reuse bodies between runs (each run builds fresh records), keep state between
// calls, reorder or fuse operations, or know about timing and output.
package main

import (
	"math"
)

// body is one record: position, velocity, mass. The kernel works on a small slice of these
// (not on parallel arrays), as the contract asks.
type body struct {
	x, y, z    float64
	vx, vy, vz float64
	mass       float64
}

// These are variables, not constants, on purpose: Go evaluates constant expressions exactly
// (arbitrary precision), so `const solarMass = 4 * pi * pi` or a velocity written as
// `1.66e-03 * 365.24` would round once from the exact decimal product, while every other
// language rounds each float64 operation. As variables they are float64 values and every
// product below is a float64 multiplication.
var (
	nbodyPi          = 3.141592653589793
	nbodySolarMass   = 4 * nbodyPi * nbodyPi
	nbodyDaysPerYear = 365.24
)

const nbodyDt = 0.01

// nbodyColumns is the contract's table as written: velocities per DAYS_PER_YEAR and masses per
// SOLAR_MASS. newBodies scales them at run time. Order: sun, jupiter, saturn, uranus, neptune.
var nbodyColumns = [5]body{
	{mass: 1},
	{
		x: 4.84143144246472090e+00, y: -1.16032004402742839e+00, z: -1.03622044471123109e-01,
		vx: 1.66007664274403694e-03, vy: 7.69901118419740425e-03, vz: -6.90460016972063023e-05,
		mass: 9.54791938424326609e-04,
	},
	{
		x: 8.34336671824457987e+00, y: 4.12479856412430479e+00, z: -4.03523417114321381e-01,
		vx: -2.76742510726862411e-03, vy: 4.99852801234917238e-03, vz: 2.30417297573763929e-05,
		mass: 2.85885980666130812e-04,
	},
	{
		x: 1.28943695621391310e+01, y: -1.51111514016986312e+01, z: -2.23307578892655734e-01,
		vx: 2.96460137564761618e-03, vy: 2.37847173959480950e-03, vz: -2.96589568540237556e-05,
		mass: 4.36624404335156298e-05,
	},
	{
		x: 1.53796971148509165e+01, y: -2.59193146099879641e+01, z: 1.79258772950371181e-01,
		vx: 2.68067772490389322e-03, vy: 1.62824170038242295e-03, vz: -9.51592254519715870e-05,
		mass: 5.15138902046611451e-05,
	},
}

// A note on float64(...) around products below: the Go spec lets a compiler fuse x*y + z into
// one fused multiply-add (gc does so on arm64, ppc64 and s390x), which rounds once instead of
// twice. An explicit conversion forces the product to be rounded, so each sum below gets the
// same bits as in the other languages on every architecture.

// nbodyEnergyAfter runs one whole nbody kernel from fresh bodies and returns the energy after
// `steps` advances.
func nbodyEnergyAfter(steps int) float64 {
	bodies := newBodies()
	offsetMomentum(bodies)
	for range steps {
		advance(bodies, nbodyDt)
	}
	return energy(bodies)
}

// newBodies builds new body records from the contract's table.
func newBodies() []body {
	bodies := make([]body, len(nbodyColumns))
	for i, column := range nbodyColumns {
		bodies[i] = body{
			x: column.x, y: column.y, z: column.z,
			vx:   column.vx * nbodyDaysPerYear,
			vy:   column.vy * nbodyDaysPerYear,
			vz:   column.vz * nbodyDaysPerYear,
			mass: column.mass * nbodySolarMass,
		}
	}
	return bodies
}

// offsetMomentum gives the sun the velocity that makes the total momentum zero.
func offsetMomentum(bodies []body) {
	var px, py, pz float64
	for i := range bodies {
		b := &bodies[i]
		px += float64(b.vx * b.mass)
		py += float64(b.vy * b.mass)
		pz += float64(b.vz * b.mass)
	}
	sun := &bodies[0]
	sun.vx = -px / nbodySolarMass
	sun.vy = -py / nbodySolarMass
	sun.vz = -pz / nbodySolarMass
}

// advance moves the system one step of dt: pairwise velocity updates, then positions.
func advance(bodies []body, dt float64) {
	for i := range bodies {
		bi := &bodies[i]
		for j := i + 1; j < len(bodies); j++ {
			bj := &bodies[j]
			dx := bi.x - bj.x
			dy := bi.y - bj.y
			dz := bi.z - bj.z
			d2 := float64(dx*dx) + float64(dy*dy) + float64(dz*dz)
			mag := dt / (d2 * math.Sqrt(d2))
			bi.vx -= float64(dx * bj.mass * mag)
			bi.vy -= float64(dy * bj.mass * mag)
			bi.vz -= float64(dz * bj.mass * mag)
			bj.vx += float64(dx * bi.mass * mag)
			bj.vy += float64(dy * bi.mass * mag)
			bj.vz += float64(dz * bi.mass * mag)
		}
	}
	for i := range bodies {
		b := &bodies[i]
		b.x += float64(dt * b.vx)
		b.y += float64(dt * b.vy)
		b.z += float64(dt * b.vz)
	}
}

// energy is the system's kinetic plus potential energy.
func energy(bodies []body) float64 {
	e := 0.0
	for i := range bodies {
		bi := &bodies[i]
		e += float64(0.5 * bi.mass * (float64(bi.vx*bi.vx) + float64(bi.vy*bi.vy) + float64(bi.vz*bi.vz)))
		for j := i + 1; j < len(bodies); j++ {
			bj := &bodies[j]
			dx := bi.x - bj.x
			dy := bi.y - bj.y
			dz := bi.z - bj.z
			e -= (bi.mass * bj.mass) / math.Sqrt(float64(dx*dx)+float64(dy*dy)+float64(dz*dz))
		}
	}
	return e
}

// nbodyKernel is kernels model nbody: ops = n (steps). No limit beyond int's range.
var nbodyKernel = kernel{
	maxN: math.MaxInt,
	compute: func(n int) (checksumValue, int64) {
		return floatChecksum(nbodyEnergyAfter(n)), int64(n)
	},
}
