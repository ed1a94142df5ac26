package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.stream.ByteArraySource;
import io.godwit.stream.MemorySink;
import io.godwit.stream.PageRequest;
import io.godwit.stream.ReturnPathWriter;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Page requests on the source's return path: a resumed destination asks for what its accesses miss
 * as soon as it has the new connection, before the source takes requests again (after the
 * received bitmaps); those early requests are kept, in order, up to a bound. Before post-copy a
 * request is the destination's error.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SourceReturnPathRequestsTest {
    private static byte[] requests(int n) throws IOException {
        MemorySink sink = new MemorySink(1 << 20);
        ReturnPathWriter w = new ReturnPathWriter(new StreamOutput(sink));
        for (int i = 0; i < n; i++) {
            w.send(new PageRequest(i == 0 ? "pc.ram" : null, (long) i << 12, 4096).toMessage());
        }
        return sink.toByteArray();
    }

    /** Reads {@code bytes} to their end on a return-path thread. */
    private static SourceReturnPath readAll(byte[] bytes, boolean resuming) throws InterruptedException {
        SourceReturnPath rp = new SourceReturnPath(new ByteArraySource(bytes), Clock.system(), Thread.currentThread(),
                resuming);
        rp.start();
        while (!rp.finished()) {
            rp.join();
        }
        return rp;
    }

    @Test
    void aResumedDestinationsEarlyRequestsReachTheQueueWhenTheSourceTakesRequests() throws Exception {
        SourceReturnPath rp = readAll(requests(3), true);
        assertThat(rp.error()).isNull();
        List<PageRequest> taken = new ArrayList<>();
        rp.acceptPageRequests(taken::add);
        assertThat(taken).containsExactly(new PageRequest("pc.ram", 0, 4096), new PageRequest(null, 0x1000, 4096),
                new PageRequest(null, 0x2000, 4096));
    }

    @Test
    void refusesMoreEarlyRequestsThanItKeeps() throws Exception {
        SourceReturnPath rp = readAll(requests(SourceReturnPath.MAX_EARLY_REQUESTS + 1), true);
        assertThat(rp.error()).hasMessageContaining("more than " + SourceReturnPath.MAX_EARLY_REQUESTS
                + " page requests before POSTCOPY_RESUME");
    }

    @Test
    void aRequestBeforePostcopyFailsTheReturnPath() throws Exception {
        SourceReturnPath rp = readAll(requests(1), false);
        assertThat(rp.error()).hasMessage("return path: REQ_PAGES_ID before post-copy started");
    }
}
