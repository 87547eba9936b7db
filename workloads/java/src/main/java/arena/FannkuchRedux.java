// FannkuchRedux owns the fannkuch-redux kernel of the contract (README, workload kernels): the
// Benchmarks Game's sequential algorithm, every permutation of 0..n-1 in its order, each
// flipped (prefix reversed) until its first element is 0; the alternating sum of the flip
// counts and their maximum.
// It must not skip permutations, use more than one thread, or do I/O.
package arena;

final class FannkuchRedux {

    private FannkuchRedux() {}

    /** What one run found: the checksum, the most flips of one permutation, and how many permutations there were. */
    record Result(long checksum, int maxFlips, long permutations) {
        /** The contract's checksum text, {@code "<checksum>:<max_flips>"}. */
        String text() {
            return checksum + ":" + maxFlips;
        }
    }

    static Result run(int n) {
        var perm1 = new int[n];
        for (int i = 0; i < n; i++) {
            perm1[i] = i;
        }
        var perm = new int[n]; // the copy that is flipped, reused: every step rewrites all of it
        var count = new int[n];
        int r = n;
        long checksum = 0;
        int maxFlips = 0;
        long permCount = 0;

        while (true) {
            while (r != 1) {
                count[r - 1] = r;
                r--;
            }

            System.arraycopy(perm1, 0, perm, 0, n);
            int flips = 0;
            int k = perm[0];
            while (k != 0) {
                for (int lo = 0, hi = k; lo < hi; lo++, hi--) {
                    int swap = perm[lo];
                    perm[lo] = perm[hi];
                    perm[hi] = swap;
                }
                flips++;
                k = perm[0];
            }
            maxFlips = Math.max(maxFlips, flips);
            checksum += permCount % 2 == 0 ? flips : -flips;

            // The next permutation: rotate the first r + 1 elements while count[r] runs out.
            while (true) {
                if (r == n) {
                    return new Result(checksum, maxFlips, permCount + 1);
                }
                int perm0 = perm1[0];
                for (int i = 0; i < r; i++) {
                    perm1[i] = perm1[i + 1];
                }
                perm1[r] = perm0;
                count[r]--;
                if (count[r] > 0) {
                    break;
                }
                r++;
            }
            permCount++;
        }
    }
}
