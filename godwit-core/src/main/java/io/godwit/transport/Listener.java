package io.godwit.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.IOException;

/** Where a destination waits for an incoming migration. */
public interface Listener extends Closeable {
    /** Waits for the source and returns the connection. */
    Connection accept() throws IOException;

    /**
     * Waits for the source's main connection and {@code multifdChannels} multifd channels, in any
     * order (a multifd channel opens with its init message's magic, the main one with the stream
     * header). Only tcp and unix listeners take multifd channels.
     */
    default Accepted accept(int multifdChannels) throws IOException {
        if (multifdChannels > 0) {
            throw new IOException("capability 'multifd' needs a tcp: or unix: migration URI; " + address() + " is not");
        }
        return new Accepted(accept(), java.util.List.of());
    }

    /** The main connection and the multifd channels, in the order they connected. */
    record Accepted(Connection main, java.util.List<Connection> multifd) {}

    /** The address actually listened on (a tcp port 0 becomes the chosen port). */
    String address();

    /**
     * Asks the listener to stay open after {@link #accept()} for one more connection, the
     * postcopy-preempt channel, if {@code when} says so as the main connection is accepted (the
     * capability may be set after the listen, as with QEMU's -incoming); false where the transport
     * has no second connection (file, exec).
     */
    default boolean keepForPreempt(java.util.function.BooleanSupplier when) {
        return false;
    }

    /**
     * The postcopy-preempt channel: the next connection after the main one, taken as it comes (its
     * source sends nothing before its first page, as QEMU's does). Closes the listener.
     */
    default Connection acceptPreempt() throws IOException {
        throw new IOException(address() + ": this transport carries no postcopy-preempt channel");
    }
}
