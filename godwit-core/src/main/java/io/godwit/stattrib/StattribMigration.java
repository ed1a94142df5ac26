package io.godwit.stattrib;

import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Storage-attribute migration (QEMU hw/s390x/s390-stattrib.c, section "s390-storage_attributes",
 * version 0): runs of changed page states as MORE records (be64 first page << 12 | MORE, be64
 * count, one byte per page), up to 512 KiB per record; DONE after the last at stop-copy; EOS
 * ends each section. Every state is sent once at first, then whatever changes.
 * {@link StattribRecordReader} has the record layout, and reads the records for the destination here.
 */
public final class StattribMigration implements SaveVmHandler {
    public static final String IDSTR = "s390-storage_attributes";
    public static final int VERSION = 0;
    // Record flags, in the low bits of the be64 that carries the first page (s390-stattrib.c STATTR_FLAG_*)
    public static final long FLAG_EOS = 0x01;
    public static final long FLAG_MORE = 0x02;
    public static final long FLAG_ERROR = 0x04;
    public static final long FLAG_DONE = 0x08;
    public static final int MAX_RUN = 512 << 10;
    public static final int PAGE_BITS = 12;

    private final Supplier<StorageAttributes> attributes;

    // Source: the migration thread's.
    private StorageAttributes saving;
    private long[] toSend;
    private long pending;
    private long cursor;

    public StattribMigration(Supplier<StorageAttributes> attributes) {
        this.attributes = attributes;
    }

    @Override
    public boolean isActive() {
        return attributes.get() != null;
    }

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        saving = attributes.get();
        long pages = saving.pages();
        toSend = new long[(int) ((pages + 63) >>> 6)];
        java.util.Arrays.fill(toSend, -1L);
        if ((pages & 63) != 0) {
            toSend[toSend.length - 1] = -1L >>> (64 - (pages & 63));
        }
        saving.changed().drainInto(new long[toSend.length], null); // everything goes once anyway
        pending = pages;
        cursor = 0;
        ctx.out().putBe64(FLAG_EOS);
    }

    private void sync() {
        pending += saving.changed().drainInto(toSend, null);
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending p) {
        p.addMustPrecopy(pending);
    }

    @Override
    public void pendingExact(long thresholdSize, Pending p) {
        sync();
        p.addMustPrecopy(pending);
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        sync();
        boolean done = true;
        while (pending > 0) {
            if (ctx.rateLimitExceeded()) {
                done = false;
                break;
            }
            sendRun(ctx.out());
        }
        ctx.out().putBe64(FLAG_EOS);
        return done;
    }

    /** Sends the next run of changed states from the cursor on, wrapping round. */
    private void sendRun(StreamOutput out) throws IOException {
        long pages = saving.pages();
        long first = next(cursor);
        if (first < 0) {
            first = next(0);
        }
        long end = first;
        while (end < pages && end - first < MAX_RUN && isSet(end)) {
            toSend[(int) (end >>> 6)] &= ~(1L << end);
            end++;
        }
        long count = end - first;
        out.putBe64((first << PAGE_BITS) | FLAG_MORE);
        out.putBe64(count);
        for (long g = first; g < end; g++) {
            out.put8(saving.raw(g));
        }
        pending -= count;
        cursor = end >= pages ? 0 : end;
    }

    private boolean isSet(long g) {
        return (toSend[(int) (g >>> 6)] & (1L << g)) != 0;
    }

    private long next(long from) {
        for (int w = (int) (from >>> 6); w < toSend.length; w++) {
            long v = toSend[w] & (w == (int) (from >>> 6) ? -1L << from : -1L);
            if (v != 0) {
                return ((long) w << 6) + Long.numberOfTrailingZeros(v);
            }
        }
        return -1;
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        sync();
        while (pending > 0) {
            sendRun(ctx.out());
        }
        ctx.out().putBe64(FLAG_DONE);
        ctx.out().putBe64(FLAG_EOS);
    }

    @Override
    public void saveCleanup() {
        saving = null;
        toSend = null;
    }

    // ----------------------------------------------------------- destination

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        StorageAttributes into = attributes.get();
        StattribRecordReader reader = new StattribRecordReader(into == null ? -1 : into.pages());
        StattribRecord r;
        do {
            r = reader.next(ctx.in());
            if (r instanceof StattribRecord.Run run) {
                if (into == null) {
                    throw new StreamFormatException("storage attributes for a machine that has none here", run.at());
                }
                byte[] states = run.states();
                for (int i = 0; i < states.length; i++) {
                    into.load(run.first() + i, states[i]);
                }
            }
            // DONE: the last values are in, nothing to synchronise here
        } while (!r.last());
    }
}
