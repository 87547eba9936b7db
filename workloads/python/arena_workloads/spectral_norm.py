"""The `spectral-norm` kernel of the `kernels` workload (contract: ../../README.md,
"Workload `kernels`").

Owns: A(i, j), the products Av, Atv and AtAv, the power iteration and the result, in exactly the
contract's operation order. Must not: cache A or any row of it, reorder a sum, or sum with
builtins whose rounding differs (`sum()` of floats is compensated from Python 3.12 on, and
`math.fsum` always is: either would change the bits), time or print anything.
"""

from math import sqrt

POWER_ITERATIONS = 10


# A(i, j) = 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1) is written out inside both loops rather
# than called: integer arithmetic (exact; the product is even), then one float division, and
# the result times v[j] (not v[j] / denominator, which rounds differently). A call per element
# would double the interpreter's time in the one loop this kernel measures.
def multiply_av(v):
    n = len(v)
    out = [0.0] * n
    for i in range(n):
        total = 0.0
        for j, v_j in enumerate(v):
            ij = i + j
            total += 1.0 / (ij * (ij + 1) // 2 + i + 1) * v_j  # A(i, j) * v[j]
        out[i] = total
    return out


def multiply_atv(v):
    n = len(v)
    out = [0.0] * n
    for i in range(n):
        total = 0.0
        for j, v_j in enumerate(v):
            ij = j + i
            total += 1.0 / (ij * (ij + 1) // 2 + j + 1) * v_j  # A(j, i) * v[j]
        out[i] = total
    return out


def multiply_atav(v):
    return multiply_atv(multiply_av(v))


def run(n):
    """sqrt(vBv / vv) after ten rounds of the power iteration, as a float."""
    u = [1.0] * n
    v = u
    for _ in range(POWER_ITERATIONS):
        v = multiply_atav(u)
        u = multiply_atav(v)
    vbv = 0.0
    vv = 0.0
    for u_i, v_i in zip(u, v):
        vbv += u_i * v_i
        vv += v_i * v_i
    return sqrt(vbv / vv)


def format_checksum(value):
    return "%.9f" % value
