package io.godwit.migration;

import io.godwit.clock.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records a migration's status changes and passes, with the clock at each. */
public final class StatusRecorder implements MigrationListener {
    public record Change(MigrationStatus from, MigrationStatus to, long nanos) {}

    private final Clock clock;
    private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> passes = Collections.synchronizedList(new ArrayList<>());

    public StatusRecorder(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void statusChanged(MigrationStatus from, MigrationStatus to) {
        changes.add(new Change(from, to, clock.nanoTime()));
    }

    @Override
    public void passCompleted(long count) {
        passes.add(count);
    }

    public List<Change> changes() {
        return List.copyOf(changes);
    }

    /** The statuses passed through, starting with the first {@code from}: none, setup, active, ... */
    public List<MigrationStatus> path() {
        List<MigrationStatus> p = new ArrayList<>();
        for (Change c : changes()) {
            if (p.isEmpty()) {
                p.add(c.from());
            }
            p.add(c.to());
        }
        return p;
    }

    /** The clock when the migration entered {@code status}. */
    public long enteredAt(MigrationStatus status) {
        return changes().stream().filter(c -> c.to() == status).mapToLong(Change::nanos).findFirst()
                .orElseThrow(() -> new AssertionError("never entered " + status + ": " + path()));
    }

    public List<Long> passes() {
        return List.copyOf(passes);
    }
}
