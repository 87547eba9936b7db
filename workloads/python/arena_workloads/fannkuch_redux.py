"""The `fannkuch-redux` kernel of the `kernels` workload (contract: ../../README.md,
"Workload `kernels`").

Owns: the Benchmarks Game's sequential algorithm, step for step as the contract writes it:
permutations in its order, the flip count of each, the alternating checksum and the maximum.
Must not: skip or cache a permutation (even one that starts with 0 is copied and counted),
use the parallel variant's block split, time or print anything.
"""


def run(n):
    """((checksum, max_flips), permutations visited) for the permutations of 0 .. n-1."""
    perm1 = list(range(n))
    count = [0] * n
    r = n
    checksum = 0
    max_flips = 0
    perm_count = 0
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1

        perm = perm1[:]
        flips = 0
        k = perm[0]
        while k != 0:
            perm[: k + 1] = perm[k::-1]  # reverse perm[0..=k]
            flips += 1
            k = perm[0]

        if flips > max_flips:
            max_flips = flips
        checksum += -flips if perm_count & 1 else flips

        # Next permutation: rotate perm1[0..=r] left by one while count[r] runs out.
        while True:
            if r == n:
                return (checksum, max_flips), perm_count + 1
            perm0 = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = perm0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        perm_count += 1


def format_checksum(value):
    checksum, max_flips = value
    return "{}:{}".format(checksum, max_flips)
