package io.godwit.savevm;

import io.godwit.stream.Command;
import io.godwit.stream.Configuration;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.SectionFooter;
import io.godwit.stream.SectionHeader;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamRecord;
import io.godwit.stream.TruncatedStreamException;
import io.godwit.stream.VmDescription;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a migration stream into the destination's handlers (QEMU savevm.c qemu_loadvm_state):
 * the header, the optional configuration, then sections until EOF, then the optional trailer.
 * Every section must name a registered handler at a version it supports and end with its footer.
 */
public final class StateLoader {
    private final HandlerRegistry registry;
    private final MigrationStreamReader reader;
    private final LoadContext ctx;
    private final CommandListener commands;
    private final String machineType;
    // Shared with the loader of a post-copy package, which runs on another thread.
    private final Map<Integer, SaveStateEntry> sections;
    private final Map<Integer, Integer> versions;
    private final boolean packageLoader;
    private Configuration config;
    private int count;
    private volatile boolean handedOff;
    private boolean trailer = true; // a post-copy stream has none, and must not be waited for

    /** Receives the commands found in the stream (open return path, ping, ...). */
    @FunctionalInterface
    public interface CommandListener {
        void onCommand(Command command, long offset) throws IOException;
    }

    /** Takes on a FULL section no handler is registered for (a foreign machine's device state). */
    @FunctionalInterface
    public interface SectionAdopter {
        SaveStateEntry adopt(SectionHeader header);
    }

    private SectionAdopter adopter;

    /** What a completed load saw. */
    public record Result(Configuration configuration, String vmDescription, int sections, long bytes) {}

    /** @param machineType the machine type a configuration section must name, or null to accept any */
    public StateLoader(HandlerRegistry registry, MigrationStreamReader reader, LoadContext ctx,
            CommandListener commands, String machineType) {
        this(registry, reader, ctx, commands, machineType, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), false);
    }

    private StateLoader(HandlerRegistry registry, MigrationStreamReader reader, LoadContext ctx,
            CommandListener commands, String machineType, Map<Integer, SaveStateEntry> sections,
            Map<Integer, Integer> versions, boolean packageLoader) {
        this.registry = registry;
        this.reader = reader;
        this.ctx = ctx;
        this.commands = commands;
        this.machineType = machineType;
        this.sections = sections;
        this.versions = versions;
        this.packageLoader = packageLoader;
    }

    /**
     * A loader for a post-copy package (savevm.c loadvm_handle_cmd_packaged): sections and
     * commands without a header, read from {@code pkg}, into the same handlers and sections as
     * this loader's. It ends where the package ends, or when a command hands off.
     */
    public StateLoader forPackage(MigrationStreamReader pkg, LoadContext pkgCtx, CommandListener pkgCommands) {
        StateLoader l = new StateLoader(registry, pkg, pkgCtx, pkgCommands, machineType, sections, versions, true);
        l.adopter = adopter;
        return l;
    }

    /**
     * Called by a command listener, on the loading thread: this loader reads nothing more once the
     * command returns. Post-copy: POSTCOPY_LISTEN hands the main stream over to the listen thread
     * ({@link #loadRest}); POSTCOPY_RUN ends the package.
     */
    public void handOff() {
        handedOff = true;
    }

    /** Unknown FULL sections go to {@code a} instead of failing the load. */
    public StateLoader adoptUnknownSections(SectionAdopter a) {
        this.adopter = a;
        return this;
    }

    /**
     * Loads the stream to its EOF and the trailer after it; or, when a command hands the stream
     * off (post-copy), returns null right after that command, without cleaning up: whoever took
     * the stream over calls {@link #loadRest}.
     */
    public Result load() throws IOException {
        reader.readHeader();
        for (SaveStateEntry e : registry.entries()) {
            e.handler().loadSetup(ctx);
        }
        boolean done = true;
        try {
            Result r = loadSections();
            done = r != null;
            return r;
        } finally {
            if (done) {
                cleanup();
            }
        }
    }

    /**
     * After a hand-off, on the thread that took the stream over: loads to EOF and cleans up. A
     * post-copy stream ends at its EOF: no trailer follows (QEMU sends none in post-copy), so none
     * is waited for. On a failure nothing is cleaned up: a paused post-copy goes on later with
     * {@link #loadRest(MigrationStreamReader, LoadContext)}, or the caller gives up with
     * {@link #cleanup()}.
     */
    public Result loadRest() throws IOException {
        return loadRest(reader, ctx);
    }

    /** As {@link #loadRest()}, from another stream: a post-copy resumed on a new connection. */
    public Result loadRest(MigrationStreamReader from, LoadContext fromCtx) throws IOException {
        StateLoader rest = new StateLoader(registry, from, fromCtx, commands, machineType, sections, versions, false);
        rest.adopter = adopter;
        rest.config = config;
        rest.count = count;
        rest.trailer = false;
        Result r = rest.loadSections();
        if (r == null) {
            throw new IllegalStateException("the stream was handed off twice");
        }
        cleanup();
        return r;
    }

    /** Loads a package to its end (or its hand-off); see {@link #forPackage}. */
    public void loadPackage() throws IOException {
        if (!packageLoader) {
            throw new IllegalStateException("not a package loader");
        }
        loadSections();
    }

    /** Lets every handler release what loading took (loadCleanup). */
    public void cleanup() {
        for (SaveStateEntry e : registry.entries()) {
            e.handler().loadCleanup();
        }
    }

    private Result loadSections() throws IOException {
        while (true) {
            long at = reader.in().position();
            StreamRecord r = reader.next();
            if (packageLoader && (r == null || r instanceof Configuration || r instanceof StreamRecord.Eof
                    || r instanceof VmDescription)) {
                if (r == null) {
                    return null; // the end of the package
                }
                throw new StreamFormatException(r.getClass().getSimpleName().toUpperCase()
                        + " in a post-copy package; expected sections and commands only", at);
            }
            switch (r) {
                case null -> throw new TruncatedStreamException("a section or EOF", at);
                case Configuration c -> {
                    if (count > 0 || config != null) {
                        throw new StreamFormatException("configuration section after the first section; "
                                + "expected it right after the header", at);
                    }
                    config = checked(c, at);
                }
                case SectionHeader h -> {
                    loadSection(h, at);
                    count++;
                }
                case Command c -> {
                    commands.onCommand(c, at);
                    if (handedOff) {
                        return null;
                    }
                }
                case StreamRecord.Eof e -> {
                    return new Result(config, trailer ? readTrailer() : null, count, reader.in().position());
                }
                case SectionFooter f -> throw new StreamFormatException(
                        "section footer (id " + f.sectionId() + ") outside a section; expected a section header", at);
                case VmDescription d -> throw new StreamFormatException(
                        "VMDESCRIPTION before EOF; expected a section or EOF", at);
            }
        }
    }

    private Configuration checked(Configuration c, long at) throws StreamFormatException {
        if (machineType != null && !machineType.equals(c.machineType())) {
            throw new StreamFormatException("machine type received is '" + c.machineType() + "'; expected '"
                    + machineType + "' (the local machine type)", at);
        }
        if (c.targetPageBits() != 0 && (1 << c.targetPageBits()) != StreamConstants.TARGET_PAGE_SIZE) {
            throw new StreamFormatException("target page size " + (1L << c.targetPageBits()) + " on the source; expected "
                    + StreamConstants.TARGET_PAGE_SIZE, at);
        }
        for (String cap : c.capabilities()) {
            if (!ctx.capabilities().enabled().stream().anyMatch(k -> k.qmpName.equals(cap))) {
                throw new StreamFormatException("capability '" + cap + "' is on at the source but not here; expected "
                        + "the same migration capabilities on both sides", at);
            }
        }
        return c;
    }

    private void loadSection(SectionHeader h, long at) throws IOException {
        SaveStateEntry e;
        if (h.isStartOrFull()) {
            e = registry.find(h.idstr(), h.instanceId());
            if (e == null && adopter != null && h.type() == StreamConstants.SECTION_FULL
                    && StreamConstants.isKeepableName(h.idstr())) {
                try {
                    e = adopter.adopt(h);
                } catch (IllegalArgumentException refused) {
                    throw new StreamFormatException(refused.getMessage(), at);
                }
            }
            if (e == null) {
                throw new StreamFormatException("unknown section '" + h.idstr() + "' instance " + h.instanceId()
                        + ": expected a handler registered on the destination", at);
            }
            if (h.versionId() > e.versionId()) {
                throw new StreamFormatException("unsupported version " + h.versionId() + " for '" + h.idstr()
                        + "': expected at most version " + e.versionId(), at);
            }
            SaveStateEntry prev = sections.putIfAbsent(h.sectionId(), e);
            if (prev != null && prev != e) {
                throw new StreamFormatException("section id " + h.sectionId() + " already belongs to '"
                        + prev.idstr() + "'; expected a new id for '" + h.idstr() + "'", at);
            }
            versions.put(h.sectionId(), h.versionId());
        } else {
            e = sections.get(h.sectionId());
            if (e == null) {
                throw new StreamFormatException("unknown section id " + h.sectionId() + " in "
                        + StreamConstants.sectionTypeName(h.type()) + ": expected the id of a started section", at);
            }
        }
        ctx.setSection(h.sectionId(), at, h.type());
        try {
            e.handler().loadState(ctx, versions.get(h.sectionId()));
        } catch (StreamFormatException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new StreamFormatException("loading section '" + e.idstr() + "' (id " + h.sectionId()
                    + ") failed: " + ex.getMessage(), at, ex);
        }
        reader.readFooter(h.sectionId(), e.idstr());
    }

    /** After EOF a source may send the VMDESCRIPTION trailer; read it if it is there. */
    private String readTrailer() throws IOException {
        if (reader.in().peek8() != StreamConstants.VMDESCRIPTION) {
            return null;
        }
        long at = reader.in().position();
        StreamRecord r = reader.next();
        if (r instanceof VmDescription d) {
            return d.json();
        }
        throw new StreamFormatException("expected VMDESCRIPTION after EOF", at);
    }
}
