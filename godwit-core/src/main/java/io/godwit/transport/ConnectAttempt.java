package io.godwit.transport;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A connection being made, which another thread may give up: {@link #cancel} closes the socket
 * that is connecting and wakes the connecting thread at once, so a cancel does not wait for the
 * kernel to give up on a peer that never answers.
 */
public final class ConnectAttempt {
    private boolean cancelled;
    private SocketChannel channel;
    private Selector selector;

    /** Gives up the attempt; a connect under way fails now, a later one at once. */
    public synchronized void cancel() {
        cancelled = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }
        if (selector != null) {
            selector.wakeup();
        }
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** The connecting thread registers what a cancel must close and wake. */
    synchronized void begin(SocketChannel ch, Selector sel) throws IOException {
        if (cancelled) {
            throw new IOException("cancelled before connecting");
        }
        channel = ch;
        selector = sel;
    }

    /** The connect is over (either way): a cancel no longer touches the channel. */
    synchronized void end() {
        channel = null;
        selector = null;
    }
}
