package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbound queue's bounds, against a client whose socket never takes a byte. */
class OutboundQueueTest {
    /** A channel whose writes block until it is closed: a client that never reads. */
    private static final class StuckChannel implements WritableByteChannel {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new java.nio.channels.ClosedChannelException();
        }

        @Override
        public boolean isOpen() {
            return release.getCount() > 0;
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private final StuckChannel channel = new StuckChannel();
    private final AtomicBoolean failed = new AtomicBoolean();
    private final OutboundQueue queue = new OutboundQueue(channel, () -> failed.set(true));

    @AfterEach
    void tearDown() {
        queue.close();
        channel.close();
    }

    /** Starts the writer and waits until it is stuck writing the first message. */
    private void stuckOnFirst(byte[] first) throws InterruptedException {
        queue.start("test-writer");
        assertThat(queue.offer(first)).isEqualTo(1);
        channel.entered.await();
    }

    @Test
    void refusesBytesPastTheBoundWithoutBlocking() throws Exception {
        byte[] kib = new byte[1024];
        stuckOnFirst(kib);
        long accepted = 1;
        while (queue.offer(kib) != OutboundQueue.REFUSED) {
            accepted++;
        }
        assertThat(accepted * kib.length).isEqualTo(OutboundQueue.MAX_QUEUED_BYTES);
        assertThat(queue.queuedBytes()).isEqualTo(OutboundQueue.MAX_QUEUED_BYTES);
    }

    @Test
    void refusesMessagesPastTheCountWhateverTheirSize() throws Exception {
        byte[] tiny = new byte[1];
        stuckOnFirst(tiny);
        long accepted = 1;
        while (queue.offer(tiny) != OutboundQueue.REFUSED) {
            accepted++;
        }
        assertThat(accepted).isEqualTo(OutboundQueue.MAX_QUEUED_MESSAGES);
    }

    @Test
    void queuesOneMessageLargerThanTheBoundWhenNothingElseWaits() throws Exception {
        byte[] big = new byte[(int) OutboundQueue.MAX_QUEUED_BYTES * 2];
        stuckOnFirst(big);
        assertThat(queue.offer(new byte[1])).as("nothing more while it is unwritten").isEqualTo(OutboundQueue.REFUSED);
    }

    @Test
    void closingRefusesFurtherMessagesAndEndsAWait() throws Exception {
        stuckOnFirst(new byte[10]);
        long second = queue.offer(new byte[10]);
        queue.close();
        queue.awaitWritten(second, Duration.ofDays(1)); // returns because the queue closed
        assertThat(queue.offer(new byte[10])).isEqualTo(OutboundQueue.REFUSED);
    }

    @Test
    void aFailedWriteIsReported() throws Exception {
        stuckOnFirst(new byte[10]);
        channel.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!failed.get() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(failed).isTrue();
        assertThat(queue.offer(new byte[10])).isEqualTo(OutboundQueue.REFUSED);
    }
}
