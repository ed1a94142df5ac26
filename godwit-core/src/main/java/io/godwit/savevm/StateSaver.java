package io.godwit.savevm;

import static io.godwit.stream.StreamConstants.TARGET_PAGE_SIZE;

import io.godwit.stream.Configuration;
import io.godwit.stream.JsonWriter;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.SectionHeader;
import io.godwit.trace.SwitchoverPartEvent;
import io.godwit.trace.Trace;
import java.io.IOException;
import java.util.List;

/**
 * Drives the handlers of the source through the phases of a migration and frames their output
 * (QEMU savevm.c qemu_savevm_state_*). Used by the migration thread only.
 */
public final class StateSaver {
    private final List<SaveStateEntry> entries;
    private final MigrationStreamWriter writer;
    private final SaveContext ctx;

    public StateSaver(HandlerRegistry registry, MigrationStreamWriter writer, SaveContext ctx) {
        this.entries = registry.entries();
        this.writer = writer;
        this.ctx = ctx;
    }

    public SaveContext context() {
        return ctx;
    }

    public MigrationStreamWriter writer() {
        return writer;
    }

    /** The handlers this saver drives, in save order. */
    public List<SaveStateEntry> entries() {
        return entries;
    }

    /** The file header and, when given, the configuration section. */
    public void header(Configuration config) throws IOException {
        writer.header();
        if (config != null) {
            writer.configuration(config);
        }
    }

    /** START sections: every active live handler's setup (after every handler's prepare). */
    public void setup() throws IOException {
        for (SaveStateEntry e : entries) {
            e.handler().savePrepare(ctx);
        }
        for (SaveStateEntry e : entries) {
            if (!e.handler().isLive() || !e.handler().isActive()) {
                continue;
            }
            writer.section(SectionHeader.start(e.sectionId(), e.idstr(), e.instanceId(), e.versionId()));
            e.handler().saveSetup(ctx);
            writer.footer(e.sectionId());
        }
    }

    public void pendingEstimate(long thresholdSize, Pending pending) {
        pendingEstimate(thresholdSize, pending, false);
    }

    /** In post-copy only the handlers that followed the switch are asked: the others completed at it. */
    public void pendingEstimate(long thresholdSize, Pending pending, boolean postcopy) {
        pending.reset();
        for (SaveStateEntry e : entries) {
            SaveVmHandler h = e.handler();
            if (h.isLive() && h.isActive() && (!postcopy || h.hasPostcopy())) {
                h.pendingEstimate(thresholdSize, pending);
            }
        }
    }

    public void pendingExact(long thresholdSize, Pending pending) {
        pending.reset();
        for (SaveStateEntry e : entries) {
            if (e.handler().isLive() && e.handler().isActive()) {
                e.handler().pendingExact(thresholdSize, pending);
            }
        }
    }

    /**
     * One iteration: a PART section for each live handler while the rate limit allows. As in
     * QEMU, a handler that has not finished its stage holds back the handlers after it, so a
     * fast-changing state is not synchronised over and over; but while switchover is not allowed
     * yet, every handler gets its turn, since the one that would allow it may come later.
     *
     * @return true when every handler reported it had sent all it knew to be dirty
     */
    public boolean iterate(boolean postcopy, boolean canSwitchover) throws IOException {
        boolean allFinished = true;
        for (SaveStateEntry e : entries) {
            SaveVmHandler h = e.handler();
            if (!h.isLive() || !h.isActive() || !h.isActiveIterate()) {
                continue;
            }
            if (postcopy && !h.hasPostcopy()) {
                continue; // saved its state when post-copy started
            }
            if (!postcopy && ctx.rateLimitExceeded()) {
                return false; // in post-copy RAM sends requested pages whatever the limit, then checks it
            }
            writer.section(SectionHeader.part(e.sectionId()));
            boolean done = h.saveLiveIterate(ctx);
            writer.footer(e.sectionId());
            if (!done) {
                allFinished = false;
                if (canSwitchover) {
                    break;
                }
            }
        }
        return allFinished;
    }

    private JsonWriter description;

    /**
     * Stop-copy: END sections for live handlers, then FULL sections for the handlers with state
     * saved once. The source is stopped while this runs; {@link #finish()} follows.
     */
    public void completeSections() throws IOException {
        completeIterable(false);
        description = completeNonIterable(writer, ctx);
    }

    /**
     * END sections of the live handlers (QEMU's qemu_savevm_state_complete_precopy_iterable). At
     * the switch to post-copy ({@code postcopy}) only the handlers that cannot follow it complete;
     * the others go on sending after the destination has started.
     */
    public void completeIterable(boolean postcopy) throws IOException {
        for (SaveStateEntry e : entries) {
            SaveVmHandler h = e.handler();
            if (h.isLive() && h.isActive() && !(postcopy && h.hasPostcopy())) {
                SwitchoverPartEvent part = beginPart();
                long before = ctx.out().bytesWritten();
                writer.section(SectionHeader.end(e.sectionId()));
                h.saveLiveCompletePrecopy(ctx);
                writer.footer(e.sectionId());
                endPart(part, e, "complete", ctx.out().bytesWritten() - before);
            }
        }
    }

    /**
     * FULL sections of the handlers with state saved once, written with {@code w} from {@code c}
     * (the main stream, or the post-copy package); returns their description for the trailer.
     */
    public JsonWriter completeNonIterable(MigrationStreamWriter w, SaveContext c) throws IOException {
        JsonWriter desc = new JsonWriter().beginObject(null).value("page_size", TARGET_PAGE_SIZE).beginArray("devices");
        for (SaveStateEntry e : entries) {
            if (e.handler().hasState() && e.handler().isActive()) {
                SwitchoverPartEvent part = beginPart();
                w.section(SectionHeader.full(e.sectionId(), e.idstr(), e.instanceId(), e.versionId()));
                long before = c.out().bytesWritten();
                e.handler().saveState(c);
                long size = c.out().bytesWritten() - before;
                w.footer(e.sectionId());
                endPart(part, e, "state", size);
                describe(desc, e, size);
            }
        }
        return desc.endArray().endObject();
    }

    /**
     * The end of a post-copy migration (qemu_savevm_state_complete_postcopy): END sections of the
     * handlers that followed the switch, then EOF, flushed. Post-copy streams carry no trailer, as
     * QEMU's do not.
     */
    public void completePostcopy() throws IOException {
        for (SaveStateEntry e : entries) {
            SaveVmHandler h = e.handler();
            if (h.isLive() && h.isActive() && h.hasPostcopy()) {
                writer.section(SectionHeader.end(e.sectionId()));
                h.saveLiveCompletePostcopy(ctx);
                writer.footer(e.sectionId());
            }
        }
        writer.eof();
        ctx.out().flush();
    }

    private static SwitchoverPartEvent beginPart() {
        if (!Trace.active()) {
            return null;
        }
        SwitchoverPartEvent part = new SwitchoverPartEvent();
        part.begin();
        return part;
    }

    private static void endPart(SwitchoverPartEvent part, SaveStateEntry e, String kind, long bytes) {
        if (part != null) {
            part.end();
            part.idstr = e.idstr();
            part.instanceId = e.instanceId();
            part.kind = kind;
            part.bytes = bytes;
            part.commit();
        }
    }

    /** EOF and the VMDESCRIPTION trailer, flushed: after this the destination may start. */
    public void finish() throws IOException {
        writer.eof();
        writer.vmDescription(description.toString());
        ctx.out().flush();
    }

    // Opaque device state is described as one buffer field, so analyze-migration.py can step over it.
    // State kept raw from a QEMU source passes on the source's own description of it.
    private static void describe(JsonWriter desc, SaveStateEntry e, long size) {
        if (e.handler() instanceof RawSection r && r.description() != null) {
            desc.rawValue(r.description());
            return;
        }
        desc.beginObject(null)
                .value("name", e.idstr())
                .value("instance_id", e.instanceId())
                .value("vmsd_name", e.idstr())
                .value("version", e.versionId())
                .beginArray("fields")
                .beginObject(null).value("name", "data").value("type", "buffer").value("size", size).endObject()
                .endArray()
                .endObject();
    }

    /** Lets every handler release what saving took; safe after a failure. */
    public void cleanup() {
        for (SaveStateEntry e : entries) {
            try {
                e.handler().saveCleanup();
            } catch (RuntimeException ex) {
                // keep cleaning the others; the migration already has its outcome
            }
        }
    }
}
