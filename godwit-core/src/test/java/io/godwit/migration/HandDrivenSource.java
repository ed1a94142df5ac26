package io.godwit.migration;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.Command;
import io.godwit.stream.Configuration;
import io.godwit.stream.MemorySink;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathReader;
import io.godwit.stream.SectionHeader;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import io.godwit.transport.MemoryChannel;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A source played by the test over an in-memory channel: it writes a post-copy stream record by
 * record, flushing when told, and reads what the destination answers on the return path. The
 * RAM section is "ram", section id 1, with one block "pc.ram".
 */
final class HandDrivenSource implements AutoCloseable {
    static final int RAM_SECTION = 1;
    /** The block's pages, for reading the received bitmaps the destination sends. */
    static final long BITMAP_PAGES = 16;
    private final MemoryChannel channel = new MemoryChannel();
    private final Connection end = channel.sourceEnd();
    private final StreamOutput out;
    private final MigrationStreamWriter w;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private boolean named;

    HandDrivenSource() throws IOException {
        out = new StreamOutput(end.output());
        w = new MigrationStreamWriter(out);
        ReturnPathReader returnPath = new ReturnPathReader(new StreamInput(end.input()));
        // the return path is read all along, as a source does, so the destination never blocks on it
        Thread.ofPlatform().daemon().name("hand-driven-return-path").start(() -> {
            try {
                ReturnPathMessage m;
                while ((m = returnPath.next()) != null) {
                    answers.add(m);
                    if (m.type() == io.godwit.stream.ReturnPathType.RECV_BITMAP) { // the bitmap follows it
                        answers.add(returnPath.readReceivedBitmap(m.recvBitmapBlock(), BITMAP_PAGES));
                    }
                }
                answers.add("end of the return path");
            } catch (IOException e) {
                answers.add("return path failed: " + e.getMessage());
            }
        });
    }

    Connection destinationEnd() {
        return channel.destinationEnd();
    }

    MigrationStreamWriter writer() {
        return w;
    }

    /** Header, configuration, OPEN_RETURN_PATH. */
    HandDrivenSource start() throws IOException {
        w.header();
        w.configuration(Configuration.of("godwit"));
        w.command(Command.openReturnPath());
        return this;
    }

    HandDrivenSource command(Command c) throws IOException {
        w.command(c);
        return this;
    }

    /** START of "ram" with the block list (MEM_SIZE). */
    HandDrivenSource ramStart(long blockSize) throws IOException {
        w.section(SectionHeader.start(RAM_SECTION, RAM_IDSTR, 0, RAM_VERSION));
        out.putBe64(blockSize | RAM_FLAG_MEM_SIZE);
        out.putString8("pc.ram");
        out.putBe64(blockSize);
        out.putBe64(RAM_FLAG_EOS);
        w.footer(RAM_SECTION);
        return this;
    }

    /** A PART (or END) section of "ram" holding pages whose every byte is {@code fill}. */
    HandDrivenSource pages(boolean end, int fill, long... pages) throws IOException {
        w.section(end ? SectionHeader.end(RAM_SECTION) : SectionHeader.part(RAM_SECTION));
        named = false;
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) fill);
        for (long p : pages) {
            long word = (p << 12) | (fill == 0 ? RAM_FLAG_ZERO : RAM_FLAG_PAGE) | (named ? RAM_FLAG_CONTINUE : 0);
            out.putBe64(word);
            if (!named) {
                out.putString8("pc.ram");
                named = true;
            }
            if (fill == 0) {
                out.put8(0);
            } else {
                out.putBytes(data);
            }
        }
        out.putBe64(RAM_FLAG_EOS);
        w.footer(RAM_SECTION);
        return this;
    }

    /** PACKAGED with the given commands as its package. */
    HandDrivenSource packaged(Command... commands) throws IOException {
        MemorySink sink = new MemorySink(MAX_PACKAGED_SIZE);
        StreamOutput p = new StreamOutput(sink);
        MigrationStreamWriter pw = new MigrationStreamWriter(p);
        for (Command c : commands) {
            pw.command(c);
        }
        p.flush();
        w.packaged(sink.toByteArray());
        return this;
    }

    HandDrivenSource eof() throws IOException {
        w.eof();
        return this;
    }

    HandDrivenSource flush() throws IOException {
        out.flush();
        return this;
    }

    /** The destination's next return-path message, waiting up to 20 s for it. */
    ReturnPathMessage next() throws IOException, InterruptedException {
        Object o = answers.poll(20, TimeUnit.SECONDS);
        if (o instanceof ReturnPathMessage m) {
            return m;
        }
        throw new AssertionError("no return-path message: " + (o == null ? "nothing within 20 s" : o));
    }

    /** The received bitmap that followed a RECV_BITMAP message. */
    long[] nextBitmap() throws InterruptedException {
        Object o = answers.poll(20, TimeUnit.SECONDS);
        if (o instanceof long[] words) {
            return words;
        }
        throw new AssertionError("no received bitmap: " + o);
    }

    /** The next message other than a PONG. */
    ReturnPathMessage nextNotPong() throws IOException, InterruptedException {
        ReturnPathMessage m;
        do {
            m = next();
        } while (m.type() == io.godwit.stream.ReturnPathType.PONG);
        return m;
    }

    @Override
    public void close() throws IOException {
        end.close();
    }
}
