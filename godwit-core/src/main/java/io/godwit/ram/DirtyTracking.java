package io.godwit.ram;

import io.godwit.ram.linux.Syscalls;
import io.godwit.ram.linux.Userfaultfd;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * Chooses a {@link DirtyTracker}: {@code explicit} (writes through {@link RamBlock} only),
 * {@code kernel} (userfaultfd write-protection with PAGEMAP_SCAN; Linux 6.7+), {@code hash}
 * (page contents compared at each sync; anywhere), or {@code auto} (kernel where it works, else
 * hash). Asking for a backend that cannot work here is an error that says why.
 */
public final class DirtyTracking {
    /** The backends by name, as {@code godwit run --dirty-tracking} takes them. */
    public enum Mode {
        AUTO, KERNEL, HASH, EXPLICIT;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.cliName().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("dirty tracking must be auto, kernel, hash or explicit, not '" + s + "'");
        }
    }

    /** Whether the kernel backend works here; if not, why. */
    public record Availability(boolean available, String reason) {}

    private DirtyTracking() {}

    /** A tracker for {@code mode}; one tracker may serve several blocks. */
    public static DirtyTracker create(Mode mode) {
        return create(mode, mode == Mode.KERNEL || mode == Mode.AUTO ? kernel() : null);
    }

    static DirtyTracker create(Mode mode, Availability kernel) {
        return switch (mode) {
            case EXPLICIT -> DirtyTracker.EXPLICIT;
            case HASH -> new HashDirtyTracker();
            case KERNEL -> {
                if (!kernel.available()) {
                    throw new IllegalStateException("kernel dirty tracking is unavailable: " + kernel.reason());
                }
                yield new KernelDirtyTracker();
            }
            case AUTO -> kernel.available() ? new KernelDirtyTracker()
                    : new HashDirtyTracker("kernel unavailable: " + kernel.reason());
        };
    }

    /** Whether the kernel backend works here (probed once: a small mapping is tracked for real). */
    public static Availability kernel() {
        return Probe.RESULT;
    }

    private static final class Probe {
        static final Availability RESULT = probe();

        private static Availability probe() {
            try {
                return probeHere();
            } catch (RuntimeException | LinkageError e) { // also a binding that cannot even load here
                return new Availability(false, e.getMessage() != null ? e.getMessage() : e.toString());
            }
        }

        private static Availability probeHere() {
            String why = Syscalls.unavailableReason();
            if (why != null) {
                return new Availability(false, why);
            }
            if (!RamMemory.mapped()) {
                return new Availability(false, "RAM blocks are not anonymous mappings here");
            }
            long offered;
            try (Userfaultfd probe = Userfaultfd.open(0)) {
                offered = probe.features();
            }
            if ((offered & Userfaultfd.FEATURE_WP_ASYNC) == 0) {
                return new Availability(false, "the kernel lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7+)");
            }
            if ((offered & Userfaultfd.FEATURE_WP_UNPOPULATED) == 0) {
                return new Availability(false, "the kernel lacks UFFD_FEATURE_WP_UNPOPULATED (Linux 6.4+)");
            }
            return trial();
        }

        /** Tracks four pages for real: a write to one must be found, and nothing else. */
        private static Availability trial() {
            KernelDirtyTracker t = new KernelDirtyTracker();
            try (RamBlock b = new RamBlock("probe", 4L * RamBlock.PAGE_SIZE, false, t)) {
                t.start(b);
                try {
                    b.segment().set(ValueLayout.JAVA_BYTE, 2L * RamBlock.PAGE_SIZE, (byte) 1);
                    t.collect(b);
                    long marks = b.dirtyBitmap().word(0);
                    if (marks != 0b100) {
                        return new Availability(false, "a trial write to page 2 was reported as pages 0b"
                                + Long.toBinaryString(marks));
                    }
                } finally {
                    t.stop(b);
                }
            }
            return new Availability(true, null);
        }
    }
}
