package io.godwit.api;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.godwit.migration.MigrationInfo;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The example of docs/embedding.md ("the API in ten minutes"), kept here so it compiles and runs:
 * a source node whose writer stores into a region with plain stores, migrated live to a
 * destination node over tcp. In real life the two nodes are two processes.
 */
final class TinyCache {
    static final long SIZE = 16 << 20;

    /**
     * A thread that keeps storing into the region, some ten thousand stores a second (a writer much
     * faster than the link never lets pre-copy converge); pause() returns once it is between stores.
     */
    static final class Writer {
        private final Region region;
        private final Semaphore turn = new Semaphore(1, true); // held while storing
        private volatile boolean done;
        private Thread thread;

        Writer(Region region) {
            this.region = region;
        }

        void start() {
            thread = Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(1);
                while (!done) {
                    turn.acquireUninterruptibly();
                    long off = r.nextLong(SIZE / 8) * 8;
                    region.segment().set(JAVA_LONG, off, r.nextLong()); // a plain store: tracked
                    turn.release();
                    LockSupport.parkNanos(100_000);
                }
            });
        }

        void pause() {
            turn.acquireUninterruptibly();
        }

        void resume() {
            turn.release();
        }

        void stop() throws InterruptedException {
            done = true;
            turn.release();
            thread.join();
        }
    }

    static MigrationInfo run() throws Exception {
        try (Node dst = Node.create("cache-b"); Node src = Node.create("cache-a")) {
            // The destination: the same regions (name and size), then listen.
            dst.addRegion("cache.table", SIZE);
            dst.addListener(new NodeListener() {
                @Override
                public void live() {
                    System.out.println("cache-b: live");
                }
            });
            MigrationHandle incoming = dst.listen("tcp:127.0.0.1:0");

            // The source: its region, a writer, and what to do when the node stops and resumes.
            Region table = src.addRegion("cache.table", SIZE);
            Writer writer = new Writer(table);
            src.addListener(new NodeListener() {
                @Override
                public void stopped() {
                    writer.pause(); // no store after this returns
                }

                @Override
                public void resumed() {
                    writer.resume(); // the migration failed or was cancelled: carry on
                }
            });
            src.setDowntimeLimit(Duration.ofMillis(50));
            src.start();
            writer.start();
            try {
                MigrationInfo info = src.migrateTo(incoming.target()).await(Duration.ofMinutes(1));
                System.out.println(info.status().qmpName + ", downtime " + info.downtimeMs() + " ms");
                if (info.completed() && !dst.digest().overall().equals(src.digest().overall())) {
                    throw new AssertionError("the destination's regions differ from the stopped source's");
                }
                return info;
            } finally {
                writer.stop(); // before the nodes close and free the region
            }
        }
    }

    public static void main(String[] args) throws Exception {
        run();
    }
}
