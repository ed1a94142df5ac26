package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import java.io.Closeable;

/**
 * One end of a migration channel: the source writes the stream to {@link #output()} and reads the
 * return path from {@link #input()}; the destination the other way round.
 */
public interface Connection extends Closeable {
    ByteSink output();

    ByteSource input();

    /**
     * The plain socket under this connection, for gathering writes from RAM and scattering reads
     * into RAM that skip the stream's buffer; null where bytes must go through it (TLS, files,
     * pipes, in-memory channels). A caller that writes or reads it directly must first have
     * flushed {@link #output()} and consumed what {@link #input()} has buffered.
     */
    default java.nio.channels.SocketChannel socket() {
        return null;
    }

    /** The URI this connection was made from, for messages. */
    String uri();

    /** True when the channel can carry a return path (a pipe or file cannot). */
    default boolean bidirectional() {
        return true;
    }

    /**
     * True when the peer may still refuse the channel after it was opened: a TLS server judges the
     * client's certificate after the client's handshake is over (QEMU checks it only then). A source
     * with a return path then asks the destination to answer a PING before it sends any state, so a
     * refusal fails the migration before the point of no return.
     */
    default boolean peerMayRefuseAfterOpen() {
        return false;
    }

    /**
     * Called when the whole stream has been written and no return path will confirm it: waits
     * until the peer has it (an exec: command has exited successfully) or throws.
     */
    default void finish() throws java.io.IOException {}

    /** Unblocks both directions from another thread, failing pending and later transfers. */
    default void shutdown() {
        output().shutdown();
        input().shutdown();
    }
}
