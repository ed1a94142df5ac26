package io.godwit.ram.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A userfaultfd (linux/userfaultfd.h) used for write-protection only: register a range in WP
 * mode, protect it, unregister it. With {@link #FEATURE_WP_ASYNC} the kernel resolves a write to
 * a protected page by itself (no message to read) and records it, for PAGEMAP_SCAN to report.
 */
public final class Userfaultfd implements AutoCloseable {
    public static final long UFFD_API = 0xAA;
    public static final long FEATURE_WP_UNPOPULATED = 1L << 13;
    public static final long FEATURE_WP_ASYNC = 1L << 15;
    public static final long REGISTER_MODE_WP = 1L << 1;
    public static final long WRITEPROTECT_MODE_WP = 1L << 0;
    /** userfaultfd(2) flag: handle only faults from user mode; allowed without privilege. */
    public static final int USER_MODE_ONLY = 1;

    static final StructLayout API = MemoryLayout.structLayout(
            JAVA_LONG.withName("api"), JAVA_LONG.withName("features"), JAVA_LONG.withName("ioctls"));
    static final StructLayout RANGE = MemoryLayout.structLayout(JAVA_LONG.withName("start"), JAVA_LONG.withName("len"));
    static final StructLayout REGISTER = MemoryLayout.structLayout(
            RANGE.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("ioctls"));
    static final StructLayout WRITEPROTECT = MemoryLayout.structLayout(RANGE.withName("range"), JAVA_LONG.withName("mode"));

    private static final int UFFDIO = 0xAA;
    static final long UFFDIO_API = Ioctl.iowr(UFFDIO, 0x3F, API.byteSize());
    static final long UFFDIO_REGISTER = Ioctl.iowr(UFFDIO, 0x00, REGISTER.byteSize());
    static final long UFFDIO_UNREGISTER = Ioctl.ior(UFFDIO, 0x01, RANGE.byteSize());
    static final long UFFDIO_WRITEPROTECT = Ioctl.iowr(UFFDIO, 0x06, WRITEPROTECT.byteSize());
    static final long USERFAULTFD_IOC_NEW = Ioctl.io(UFFDIO, 0x00);

    private static final VarHandle API_API = API.varHandle(groupElement("api"));
    private static final VarHandle API_FEATURES = API.varHandle(groupElement("features"));
    private static final VarHandle REG_START = REGISTER.varHandle(groupElement("range"), groupElement("start"));
    private static final VarHandle REG_LEN = REGISTER.varHandle(groupElement("range"), groupElement("len"));
    private static final VarHandle REG_MODE = REGISTER.varHandle(groupElement("mode"));
    private static final VarHandle WP_START = WRITEPROTECT.varHandle(groupElement("range"), groupElement("start"));
    private static final VarHandle WP_LEN = WRITEPROTECT.varHandle(groupElement("range"), groupElement("len"));
    private static final VarHandle WP_MODE = WRITEPROTECT.varHandle(groupElement("mode"));
    private static final VarHandle RANGE_START = RANGE.varHandle(groupElement("start"));
    private static final VarHandle RANGE_LEN = RANGE.varHandle(groupElement("len"));

    private final int fd;
    private final long features;

    private Userfaultfd(int fd, long features) {
        this.fd = fd;
        this.features = features;
    }

    /**
     * Opens a userfaultfd and enables {@code features} (UFFDIO_API); fails when the kernel lacks
     * one of them. The features the kernel offers, with none requested, are {@link #features()}.
     */
    public static Userfaultfd open(long features) {
        int fd = newFd();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment api = a.allocate(API);
            API_API.set(api, 0L, UFFD_API);
            API_FEATURES.set(api, 0L, features);
            Syscalls.ioctl(fd, UFFDIO_API, api, "UFFDIO_API");
            return new Userfaultfd(fd, (long) API_FEATURES.get(api, 0L));
        } catch (RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
    }

    /**
     * userfaultfd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY), which needs no privilege; then
     * without USER_MODE_ONLY (kernels before 5.11); then /dev/userfaultfd (5.11+, by its file mode).
     */
    private static int newFd() {
        int flags = Syscalls.O_CLOEXEC | Syscalls.O_NONBLOCK;
        List<String> failures = new ArrayList<>();
        for (int extra : new int[] {USER_MODE_ONLY, 0}) {
            try {
                return Syscalls.userfaultfd(flags | extra);
            } catch (SyscallException e) {
                failures.add(e.getMessage() + (extra != 0 ? " with UFFD_USER_MODE_ONLY" : ""));
            }
        }
        int dev = -1;
        try {
            dev = Syscalls.open("/dev/userfaultfd", Syscalls.O_RDWR | Syscalls.O_CLOEXEC);
            return Syscalls.ioctl(dev, USERFAULTFD_IOC_NEW, flags, "USERFAULTFD_IOC_NEW");
        } catch (SyscallException e) {
            failures.add(e.getMessage());
        } finally {
            Syscalls.close(dev);
        }
        throw new IllegalStateException("no userfaultfd: " + String.join("; ", failures));
    }

    /** The features UFFDIO_API answered with. */
    public long features() {
        return features;
    }

    /** UFFDIO_REGISTER of {@code range} (page-aligned) in {@code mode}. */
    public void register(MemorySegment range, long mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(REGISTER);
            REG_START.set(reg, 0L, range.address());
            REG_LEN.set(reg, 0L, range.byteSize());
            REG_MODE.set(reg, 0L, mode);
            Syscalls.ioctl(fd, UFFDIO_REGISTER, reg, "UFFDIO_REGISTER");
        }
    }

    /** UFFDIO_WRITEPROTECT: protects {@code range} (or lifts the protection). */
    public void writeProtect(MemorySegment range, boolean protect) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment wp = a.allocate(WRITEPROTECT);
            WP_START.set(wp, 0L, range.address());
            WP_LEN.set(wp, 0L, range.byteSize());
            WP_MODE.set(wp, 0L, protect ? WRITEPROTECT_MODE_WP : 0L);
            Syscalls.ioctl(fd, UFFDIO_WRITEPROTECT, wp, "UFFDIO_WRITEPROTECT");
        }
    }

    /** UFFDIO_UNREGISTER: the range is an ordinary mapping again, its protection gone. */
    public void unregister(MemorySegment range) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(RANGE);
            RANGE_START.set(r, 0L, range.address());
            RANGE_LEN.set(r, 0L, range.byteSize());
            Syscalls.ioctl(fd, UFFDIO_UNREGISTER, r, "UFFDIO_UNREGISTER");
        }
    }

    @Override
    public void close() {
        Syscalls.close(fd);
    }
}
