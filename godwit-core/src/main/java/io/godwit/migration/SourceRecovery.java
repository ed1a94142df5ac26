package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.ram.RamBlock;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.StateSaver;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.RecvBitmap;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A broken link in post-copy, source side (QEMU migration.c postcopy_pause, postcopy_do_resume):
 * the migration pauses (postcopy-paused) and waits for migrate resume=true; then it connects
 * again (postcopy-recover-setup), asks the destination with RECV_BITMAP which pages it has of
 * each RAM block (postcopy-recover), makes everything else pending again, says POSTCOPY_RESUME,
 * and goes on at the destination's RESUME_ACK (postcopy-active).
 */
final class SourceRecovery {
    private final Migration m;
    private final StateSaver saver;
    private final PostcopySource postcopy;

    SourceRecovery(Migration m, StateSaver saver, PostcopySource postcopy) {
        this.m = m;
        this.saver = saver;
        this.postcopy = postcopy;
    }

    /**
     * True for a failure of the link (a read or write that failed, a stream cut short), false for
     * one the peer meant: a refused message or a destination that ended the migration.
     */
    static boolean linkBroken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TruncatedStreamException) {
                return true;
            }
            if (t instanceof StreamFormatException && t.getCause() instanceof IOException
                    && !(t.getCause() instanceof StreamFormatException)) {
                continue; // a section's load that its link broke (StateLoader names the section)
            }
            if (t instanceof StreamFormatException || t instanceof PostcopySource.DestinationEnded
                    || t instanceof Migration.CancelledException) {
                return false;
            }
        }
        return e instanceof IOException;
    }

    /** Pauses, then resumes: returns once post-copy is active again; throws if it was abandoned. */
    void pauseAndResume(IOException why) throws IOException, InterruptedException {
        m.setStatus(POSTCOPY_PAUSED);
        postcopy.dropPreempt(); // post-copy goes on without it once resumed
        m.dropConnection();
        while (true) {
            Migration.Opener with = m.awaitResume();
            m.setStatus(POSTCOPY_RECOVER_SETUP);
            Connection c;
            try {
                c = with.open();
            } catch (IOException e) {
                m.setStatus(POSTCOPY_PAUSED); // could not connect: stay paused, resume may be given again
                continue;
            }
            m.reconnect(c);
            m.setStatus(POSTCOPY_RECOVER);
            try {
                handshake();
                m.setStatus(POSTCOPY_ACTIVE);
                return;
            } catch (IOException e) {
                if (!linkBroken(e)) {
                    throw e;
                }
                m.setStatus(POSTCOPY_PAUSED);
                m.dropConnection();
            }
        }
    }

    /** RECV_BITMAP for every block, reload, POSTCOPY_RESUME, RESUME_ACK. */
    private void handshake() throws IOException, InterruptedException {
        SourceReturnPath rp = m.returnPath();
        RamHandler ram = postcopy.ram();
        List<RamBlock> blocks = ram != null ? ram.savingBlocks() : List.of();
        rp.expectBitmaps(name -> blocks.stream().filter(b -> b.name().equals(name)).mapToLong(RamBlock::pages)
                .findFirst().orElse(-1));
        MigrationStreamWriter w = saver.writer();
        for (RamBlock b : blocks) {
            w.command(new RecvBitmap(b.name()).toCommand());
        }
        w.out().flush();
        awaitReturnPath(() -> blocks.stream().allMatch(b -> rp.receivedBitmap(b.name()) != null));
        for (RamBlock b : blocks) {
            ram.reloadFromReceived(b, rp.receivedBitmap(b.name()));
        }
        postcopy.acceptPageRequests(); // the destination asks again for what it waited for, before its ack
        w.command(Command.postcopyResume());
        w.out().flush();
        awaitReturnPath(rp::resumeAcked);
    }

    private void awaitReturnPath(BooleanSupplier done) throws IOException {
        SourceReturnPath rp = m.returnPath();
        while (!done.getAsBoolean()) {
            m.checkInterrupts();
            if (rp.finished()) {
                throw new IOException("the return path closed while resuming post-copy");
            }
            m.clock().park(50_000_000L); // the return-path thread wakes us at every message
        }
    }
}
