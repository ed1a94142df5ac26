package io.godwit.stream;

import java.io.Closeable;
import java.io.IOException;

/** Sends return-path messages; several threads may send, each message goes out whole and at once. */
public final class ReturnPathWriter implements Closeable {
    private final StreamOutput out;

    public ReturnPathWriter(StreamOutput out) {
        this.out = out;
    }

    public synchronized void send(ReturnPathMessage m) throws IOException {
        out.putBe16(m.type().code);
        out.putBe16(m.data().length);
        out.putBytes(m.data());
        out.flush();
    }

    /** RECV_BITMAP for {@code block} and its received bitmap, sent together. */
    public synchronized void sendReceivedBitmap(String block, long[] words, long pages) throws IOException {
        ReturnPathMessage m = ReturnPathMessage.recvBitmap(block);
        out.putBe16(m.type().code);
        out.putBe16(m.data().length);
        out.putBytes(m.data());
        ReceivedBitmap.write(out, words, pages);
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
