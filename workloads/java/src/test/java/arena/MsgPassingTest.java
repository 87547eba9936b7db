// MsgPassingTest owns the checks of the msg-passing workload: the README's test vectors for all
// four models (platform or virtual threads, ArrayBlockingQueue or SynchronousQueue), the result
// line's fields and the capacity each model reports (Q, or 0 for the rendezvous), a ring with
// more tasks than hops (tasks without a hop end at once), and usage errors (tasks < 2 included).
// It must not judge the times (hand-off costs are the harness's measurement).
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MsgPassingTest {

    @ParameterizedTest
    @CsvSource({
        "platform-abq,  3, 10, 10, 2, 2055683726:165029893, 2",
        "platform-abq,  2, 1,  1,  1, 67918732:0,           1",
        "platform-sync, 3, 10, 10, 2, 2055683726:165029893, 0",
        "platform-sync, 2, 1,  1,  1, 67918732:0,           0",
        "virtual-abq,   3, 10, 10, 2, 2055683726:165029893, 2",
        "virtual-abq,   2, 1,  1,  1, 67918732:0,           1",
        "virtual-sync,  3, 10, 10, 2, 2055683726:165029893, 0",
        "virtual-sync,  2, 1,  1,  1, 67918732:0,           0",
    })
    void everyModelMatchesTheVectors(String model, long tasks, long hops, long messages, long capacity,
            String checksum, long reportedCapacity) {
        var run = Programs.run(List.of(), "msg-passing", model,
                "tasks=" + tasks, "hops=" + hops, "messages=" + messages, "capacity=" + capacity);
        assertEquals(0, run.exitCode(), run.stderr());
        var events = run.events();
        assertEquals(1, events.size(), run.stdout().toString());
        var result = events.get(0);
        assertEquals(List.of("event", "checksum", "ops", "tasks", "capacity", "ring_ns", "pair_ns",
                "ring_cpu_ns", "pair_cpu_ns"), List.copyOf(result.keySet()));
        assertEquals("result", result.get("event"));
        assertEquals(checksum, result.get("checksum"));
        assertEquals(hops + messages, result.get("ops"));
        assertEquals(tasks, result.get("tasks"));
        assertEquals(reportedCapacity, result.get("capacity"));
        assertTrue((Long) result.get("ring_ns") > 0, run.stdout().toString());
        assertTrue((Long) result.get("pair_ns") > 0, run.stdout().toString());
        assertTrue((Long) result.get("ring_cpu_ns") >= 0, run.stdout().toString());
        assertTrue((Long) result.get("pair_cpu_ns") >= 0, run.stdout().toString());
        assertEquals("", run.stderr());
    }

    @Test
    void aRingWithMoreTasksThanHopsEnds() {
        // Tasks 3 and 4 do no hop; the token goes 0 -> 1 -> 2 -> main.
        int token = (int) 2166136261L;
        for (int k = 0; k < 3; k++) {
            token = (token ^ (k + 1)) * 16777619;
        }
        // acc over 0, 1, 2, 3 = ((0 * 31 + 1) * 31 + 2) * 31 + 3 = 1026.
        var expected = Integer.toUnsignedString(token) + ":1026";
        for (var model : List.of("platform-abq", "virtual-sync")) {
            var run = Programs.run(List.of(), "msg-passing", model, "tasks=5", "hops=3", "messages=4", "capacity=1");
            assertEquals(0, run.exitCode(), run.stderr());
            assertEquals(expected, run.events().get(0).get("checksum"), model);
        }
    }

    @Test
    void oneHopIsTheContractsStep() {
        assertEquals("67918732", Integer.toUnsignedString(MsgPassing.hop((int) 2166136261L, 0)));
    }

    @Test
    void badParametersAreUsageErrors() {
        var oneTask = Programs.run(List.of(), "msg-passing", "platform-abq", "tasks=1", "hops=1", "messages=1",
                "capacity=1");
        assertEquals(2, oneTask.exitCode());
        assertEquals(List.of(), oneTask.stdout());
        assertTrue(oneTask.stderr().contains("tasks=1"), oneTask.stderr());
        // The rendezvous variants ignore Q, but it is still a required parameter.
        assertEquals(2, Programs.run(List.of(), "msg-passing", "virtual-sync", "tasks=2", "hops=1", "messages=1")
                .exitCode());
        assertEquals(2, Programs.run(List.of(), "msg-passing", "virtual-abq", "tasks=2", "hops=1", "messages=1",
                "capacity=0").exitCode());
        assertEquals(2, Programs.run(List.of(), "msg-passing", "unbuffered", "tasks=2", "hops=1", "messages=1",
                "capacity=1").exitCode());
    }
}
