package io.godwit.ram.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the kernel dirty tracker makes (syscall, ioctl, open, close), through FFM,
 * each with errno captured. Loaded only on Linux on x86-64, AArch64 or RISC-V 64 (the
 * architectures whose ioctl numbers and open flags follow asm-generic, and whose userfaultfd
 * syscall number is known) and only when this module may call native code; otherwise
 * {@link #unavailableReason()} says why.
 */
public final class Syscalls {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final String UNAVAILABLE;
    private static final long NR_USERFAULTFD;
    private static final MethodHandle SYSCALL_INT; // long syscall(long nr, int)
    private static final MethodHandle IOCTL_PTR; // int ioctl(int fd, unsigned long request, void *)
    private static final MethodHandle IOCTL_INT; // int ioctl(int fd, unsigned long request, int)
    private static final MethodHandle OPEN; // int open(const char *path, int flags, mode_t)
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;

    static {
        String why = null;
        long nr = -1;
        MethodHandle[] h = new MethodHandle[6];
        String arch = System.getProperty("os.arch", "");
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            why = "not Linux (" + System.getProperty("os.name") + ")";
        } else if (!Syscalls.class.getModule().isNativeAccessEnabled()) {
            why = "native access is not enabled (run the JVM with --enable-native-access)";
        } else if ((nr = userfaultfdNumber(arch)) < 0) {
            why = "unsupported architecture " + arch;
        } else {
            try {
                link(h);
            } catch (RuntimeException | LinkageError e) {
                why = "cannot link libc: " + e;
            }
        }
        UNAVAILABLE = why;
        NR_USERFAULTFD = nr;
        SYSCALL_INT = h[0];
        IOCTL_PTR = h[1];
        IOCTL_INT = h[2];
        OPEN = h[3];
        CLOSE = h[4];
        STRERROR = h[5];
    }

    private Syscalls() {}

    private static long userfaultfdNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 323;
            case "aarch64", "riscv64" -> 282; // the asm-generic syscall table
            default -> -1;
        };
    }

    private static void link(MethodHandle[] h) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ValueLayout i64 = ValueLayout.JAVA_LONG;
        h[0] = linker.downcallHandle(libc.find("syscall").orElseThrow(), FunctionDescriptor.of(i64, i64, i32),
                errno, Linker.Option.firstVariadicArg(1));
        h[1] = linker.downcallHandle(libc.find("ioctl").orElseThrow(),
                FunctionDescriptor.of(i32, i32, i64, ValueLayout.ADDRESS), errno, Linker.Option.firstVariadicArg(2));
        h[2] = linker.downcallHandle(libc.find("ioctl").orElseThrow(), FunctionDescriptor.of(i32, i32, i64, i32),
                errno, Linker.Option.firstVariadicArg(2));
        h[3] = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(i32, ValueLayout.ADDRESS, i32, i32), errno, Linker.Option.firstVariadicArg(2));
        h[4] = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(i32, i32));
        h[5] = linker.downcallHandle(libc.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, i32));
    }

    /** Null when the calls are available; otherwise why not. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static void check() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("Linux system calls unavailable: " + UNAVAILABLE);
        }
    }

    /** userfaultfd(flags): a new userfaultfd. */
    public static int userfaultfd(int flags) {
        check();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            long rc = (long) SYSCALL_INT.invokeExact(state, NR_USERFAULTFD, flags);
            return (int) result("userfaultfd", rc, state);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("userfaultfd", t);
        }
    }

    /** ioctl(fd, request, arg) with a pointer argument; returns the ioctl's non-negative result. */
    public static int ioctl(int fd, long request, MemorySegment arg, String name) {
        check();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
            return (int) result("ioctl(" + name + ")", rc, state);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl(" + name + ")", t);
        }
    }

    /** ioctl(fd, request, arg) with an int argument. */
    public static int ioctl(int fd, long request, int arg, String name) {
        check();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) IOCTL_INT.invokeExact(state, fd, request, arg);
            return (int) result("ioctl(" + name + ")", rc, state);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ioctl(" + name + ")", t);
        }
    }

    /** open(path, flags): a file descriptor. */
    public static int open(String path, int flags) {
        check();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) OPEN.invokeExact(state, a.allocateFrom(path), flags, 0);
            return (int) result("open(" + path + ")", rc, state);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open(" + path + ")", t);
        }
    }

    /** close(fd); errors are ignored, as nothing can be done about them. */
    public static void close(int fd) {
        if (UNAVAILABLE == null && fd >= 0) {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                // the descriptor is gone either way
            }
        }
    }

    private static long result(String call, long rc, MemorySegment state) {
        if (rc < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            throw new SyscallException(call, errno, describe(errno));
        }
        return rc;
    }

    /** strerror(errno), e.g. "Operation not permitted". */
    static String describe(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
