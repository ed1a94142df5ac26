package io.godwit.monitor;

import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition, polling; fails after a deadline far longer than the condition needs. */
final class Await {
    static final long DEADLINE_MS = 20_000;

    private Await() {}

    static <T> T until(Supplier<T> value, Predicate<T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_MS * 1_000_000;
        T v;
        while (!done.test(v = value.get())) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " within " + DEADLINE_MS + " ms; last seen: " + v);
            }
            Thread.sleep(5);
        }
        return v;
    }

    /** query-migrate once its status is {@code status}. */
    static MigrationInfo status(Monitor m, MigrationStatus status) throws InterruptedException {
        return until(m::queryMigrate, i -> i.status() == status, "status " + status.qmpName);
    }

    /** query-migrate once its status is final. */
    static MigrationInfo end(Monitor m) throws InterruptedException {
        return until(m::queryMigrate, i -> i.status().isTerminal(), "a final status");
    }
}
