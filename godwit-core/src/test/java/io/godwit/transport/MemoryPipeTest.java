package io.godwit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A test that would block forever fails instead: the timeout only guards against hangs. */
@Timeout(30)
class MemoryPipeTest {
    final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static byte pattern(long i) {
        return (byte) (i * 7 + (i >>> 9));
    }

    @Test
    void bytesArriveInOrderAcrossManyBuffers() throws Exception {
        MemoryPipe pipe = new MemoryPipe(64, 2); // the writer runs ahead by two buffers at most
        int total = 200_000;
        Future<Long> writer = pool.submit(() -> {
            try (StreamOutput out = new StreamOutput(pipe.sink())) {
                for (int i = 0; i < total; ) {
                    if (i % 3 == 0 && total - i >= 4) {
                        out.putBe32((pattern(i) & 0xff) << 24 | (pattern(i + 1) & 0xff) << 16
                                | (pattern(i + 2) & 0xff) << 8 | (pattern(i + 3) & 0xff));
                        i += 4;
                    } else {
                        out.put8(pattern(i));
                        i++;
                    }
                }
                return out.bytesWritten();
            }
        });
        StreamInput in = new StreamInput(pipe.source());
        long read = 0;
        while (in.hasMore()) {
            int b = in.get8();
            if (b != (pattern(read) & 0xff)) {
                throw new AssertionError("byte " + read + " is " + b + ", expected " + (pattern(read) & 0xff));
            }
            read++;
        }
        assertThat(writer.get(30, TimeUnit.SECONDS)).isEqualTo(total);
        assertThat(read).isEqualTo(total);
        assertThat(in.position()).isEqualTo(total);
    }

    @Test
    void closeGivesEndOfStreamAfterAllData() throws IOException {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        StreamOutput out = new StreamOutput(pipe.sink());
        out.putBe64(0x0102030405060708L);
        out.put8(9);
        out.close();
        StreamInput in = new StreamInput(pipe.source());
        assertThat(in.getBe64()).isEqualTo(0x0102030405060708L);
        assertThat(in.get8()).isEqualTo(9);
        assertThat(in.hasMore()).isFalse();
        assertThat(pipe.source().next(null)).as("end of stream stays").isNull();
    }

    @Test
    void closeWithNothingWrittenGivesEndOfStream() throws IOException {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        pipe.sink().close();
        assertThat(pipe.source().next(null)).isNull();
    }

    @Test
    void writingAfterTheReaderClosedFails() throws IOException {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        StreamOutput out = new StreamOutput(pipe.sink());
        pipe.source().close();
        out.putBe32(1);
        assertThatThrownBy(out::flush).isInstanceOf(IOException.class)
                .hasMessageContaining("the reader has gone (broken pipe)");
    }

    @Test
    void writingAfterTheWriterClosedFails() throws IOException {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        ByteSink sink = pipe.sink();
        ByteBuffer b = sink.swap(null);
        sink.close();
        b.put((byte) 1).flip();
        assertThatThrownBy(() -> sink.swap(b)).isInstanceOf(IOException.class)
                .hasMessageContaining("write after close");
    }

    @Test
    void readingAfterTheReaderClosedFails() throws IOException {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        ByteSource source = pipe.source();
        source.close();
        assertThatThrownBy(() -> source.next(null)).isInstanceOf(IOException.class)
                .hasMessageContaining("read after close");
    }

    @Test
    void shutdownUnblocksABlockedReader() throws Exception {
        MemoryPipe pipe = new MemoryPipe(64, 4);
        AtomicReference<Thread> reader = new AtomicReference<>();
        Future<?> read = pool.submit(() -> {
            reader.set(Thread.currentThread());
            return pipe.source().next(null);
        });
        while (reader.get() == null || reader.get().getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // wait until the reader waits for data
        }
        pipe.shutdown();
        assertThatThrownBy(() -> read.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("in-memory channel shut down");
    }

    @Test
    void shutdownUnblocksAWriterWaitingForAFreeBuffer() throws Exception {
        MemoryPipe pipe = new MemoryPipe(64, 1);
        AtomicReference<Thread> writer = new AtomicReference<>();
        Future<?> write = pool.submit(() -> {
            writer.set(Thread.currentThread());
            StreamOutput out = new StreamOutput(pipe.sink());
            for (int i = 0; ; i++) {
                out.putBe64(i); // nobody reads: the one buffer fills and the writer waits
            }
        });
        while (writer.get() == null || writer.get().getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        pipe.shutdown();
        assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("in-memory channel shut down");
    }
}
