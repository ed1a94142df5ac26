package io.godwit.stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Random;

/**
 * The source's reader of the return path, fed what a destination (or anyone who reaches the
 * socket) may send: every message it returns has the length its type requires, and everything
 * else is refused with a {@link StreamFormatException} that {@link RefusalProperty} accepts.
 * Seeds: ReturnPathReaderFuzzTestInputs; docs/fuzzing.md says how to fuzz it.
 */
class ReturnPathReaderFuzzTest {
    /** More messages than any input of the fuzzer's size holds: a reader that stops consuming is caught. */
    private static final int MAX_MESSAGES = 1 << 16;

    @FuzzTest(maxDuration = "5m")
    void readsMessagesOrRefuses(byte[] input) {
        Random sizes = new Random(input.length);
        ReturnPathReader r = new ReturnPathReader(new StreamInput(Bytes.source(input, () -> 1 + sizes.nextInt(64))));
        try {
            for (int n = 0; n < MAX_MESSAGES; n++) {
                ReturnPathMessage m = r.next();
                if (m == null) {
                    return;
                }
                if (m.type().length >= 0 && m.data().length != m.type().length) {
                    throw new AssertionError(m + " does not have the length of its type");
                }
            }
            throw new AssertionError("more than " + MAX_MESSAGES + " messages in " + input.length + " bytes");
        } catch (Exception e) {
            RefusalProperty.checkStreamRefusal(e, input.length);
        }
    }
}
