package io.godwit.ram.linux;

/**
 * ioctl request numbers as asm-generic/ioctl.h builds them (x86-64, AArch64, RISC-V):
 * {@code dir << 30 | size << 16 | type << 8 | nr}, with write 1 and read 2.
 */
final class Ioctl {
    private static final int NONE = 0;
    private static final int WRITE = 1;
    private static final int READ = 2;

    private Ioctl() {}

    static long ioc(int dir, int type, int nr, long size) {
        if (size < 0 || size >= 1 << 14 || type < 0 || type > 0xff || nr < 0 || nr > 0xff) {
            throw new IllegalArgumentException("ioctl field out of range: type " + type + ", nr " + nr + ", size " + size);
        }
        return ((long) dir << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    /** _IO(type, nr) */
    static long io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** _IOR(type, nr, struct of {@code size} bytes) */
    static long ior(int type, int nr, long size) {
        return ioc(READ, type, nr, size);
    }

    /** _IOWR(type, nr, struct of {@code size} bytes) */
    static long iowr(int type, int nr, long size) {
        return ioc(READ | WRITE, type, nr, size);
    }
}
