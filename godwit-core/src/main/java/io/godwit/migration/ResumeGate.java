package io.godwit.migration;

import java.io.IOException;

/**
 * Where a paused post-copy source waits for migrate resume=true: another thread offers the way to
 * reconnect, or gives the migration up (the process quits).
 */
final class ResumeGate {
    private Migration.Opener offered; // guarded by this
    private boolean abandoned;        // guarded by this

    synchronized void offer(Migration.Opener with) {
        offered = with;
        notifyAll();
    }

    /** Waits for an offer; throws once the migration is given up. */
    synchronized Migration.Opener await() throws IOException, InterruptedException {
        while (offered == null && !abandoned) {
            wait();
        }
        if (abandoned) {
            throw new IOException("the paused post-copy migration was abandoned");
        }
        Migration.Opener o = offered;
        offered = null;
        return o;
    }

    synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }
}
