// Startup owns the startup workload (java/default, cds, aot and c1 run this same code; the
// runner's JVM flags make the difference): with the arguments parsed, it prints the result line
// {"event":"result","checksum":"<seed>","ops":1} and returns, so the JVM exits with code 0.
// It must not do any work, start a thread or a timer, or touch another workload's class: what
// is measured is the JVM's own cost before the first useful work.
package arena;

final class Startup {

    /** The one parameter: S ≥ 1, echoed as the checksum. A constant, so Main's key list inlines it. */
    static final String SEED_KEY = "seed";

    private Startup() {}

    static void run(Protocol.Params params) {
        emitResult(params.get(SEED_KEY));
    }

    /**
     * The startup program's output. FirstResponse's training run calls it too (with 0), so a CDS
     * or AOT archive made from that run holds the classes this path loads.
     */
    static void emitResult(long seed) {
        Protocol.event("result").checksum("checksum", seed).integer("ops", 1).emit();
    }
}
