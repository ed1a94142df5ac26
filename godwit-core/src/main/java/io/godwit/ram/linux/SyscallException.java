package io.godwit.ram.linux;

/** A system call that failed, with its errno: "ioctl(PAGEMAP_SCAN): Invalid argument (errno 22)". */
public final class SyscallException extends RuntimeException {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSYS = 38;

    private final int errno;

    public SyscallException(String call, int errno, String description) {
        super(call + ": " + description + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
