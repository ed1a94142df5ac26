package io.godwit.qmp;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One QMP client on its socket: a reader thread that runs its commands one at a time, and an
 * {@link OutboundQueue} whose own thread writes replies and events. Only those two threads ever
 * wait for this client; {@link #send} returns at once whatever the client does.
 */
final class ClientConnection {
    /** How long a last reply (to quit, or the error before a disconnect) may take to go out. */
    private static final Duration LINGER = Duration.ofSeconds(5);

    private final SocketChannel channel;
    private final QmpSession session;
    private final OutboundQueue out;
    private final Runnable onQuit;
    private final Consumer<ClientConnection> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param onQuit run once the reply to "quit" has been written (or could not be in time)
     * @param onClosed run once when the connection closes, for whatever reason
     */
    ClientConnection(SocketChannel channel, QmpCommands commands, Runnable onQuit,
            Consumer<ClientConnection> onClosed) {
        this.channel = channel;
        this.session = new QmpSession(commands);
        this.out = new OutboundQueue(channel, this::close);
        this.onQuit = onQuit;
        this.onClosed = onClosed;
    }

    void start() {
        out.start("godwit-qmp-writer");
        Thread.ofVirtual().name("godwit-qmp-reader").start(this::serve);
    }

    /** Whether the client has negotiated capabilities, and so receives events. */
    boolean negotiated() {
        return session.negotiated();
    }

    /**
     * Queues one framed message. A client with too much unread is disconnected, not waited for:
     * the socket is closed on a thread of its own, so the caller (maybe the migration thread)
     * goes on at once.
     */
    long send(byte[] frame) {
        long seq = out.offer(frame);
        if (seq == OutboundQueue.REFUSED && closed.compareAndSet(false, true)) {
            long unread = out.queuedBytes();
            out.close();
            Thread.ofVirtual().name("godwit-qmp-close").start(() -> {
                System.err.println("godwit: QMP client disconnected: it left " + unread + " bytes unread");
                closeChannel();
            });
        }
        return seq;
    }

    private void serve() {
        QmpLineReader in = new QmpLineReader(Channels.newInputStream(channel), QmpLineReader.MAX_COMMAND_BYTES);
        try {
            send(QmpSession.greeting());
            byte[] line;
            while ((line = in.next()) != null) {
                QmpSession.Reply r = session.handle(line);
                if (r == null) {
                    continue;
                }
                long seq = send(r.frame());
                if (r.quit()) {
                    out.awaitWritten(seq, LINGER);
                    onQuit.run();
                }
            }
        } catch (QmpLineReader.TooLongException e) {
            // the rest of the line cannot be told from the next command: answer, then hang up
            lastWords(QmpSession.error(QmpError.generic(e.getMessage())));
        } catch (IOException e) {
            // the client went away, or the connection was closed under the reader
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    private void lastWords(byte[] frame) {
        try {
            out.awaitWritten(send(frame), LINGER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the connection; both its threads end. Safe from any thread, and more than once. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            out.close();
            closeChannel();
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
        onClosed.accept(this);
    }
}
