/*
 * The test guest: QEMU's a-b migration workload. Each sweep increments the first byte of every
 * 4 KiB page in [4 MiB, 96 MiB), in address order, then prints "counter N" (N sweeps done) on
 * COM1. Wherever the machine stops, pages below some address k hold one more than the pages from
 * k on, and the last complete counter line says which values: after "counter N" the pages hold
 * N or N + 1 (mod 256). A lost or stale page breaks that pattern.
 *
 * Built freestanding for i386 (gcc -m32 -ffreestanding -nostdlib, ld -m elf_i386 -T linker.ld).
 */
#define COM1 0x3f8
#define COM1_LCR (COM1 + 3) /* line control */
#define COM1_LSR (COM1 + 5) /* line status */
#define LSR_THR_EMPTY 0x20
#define PAGE 4096u
#define AB_START (4u << 20)
#define AB_END (96u << 20)

static inline void outb(unsigned short port, unsigned char v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline unsigned char inb(unsigned short port)
{
    unsigned char v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Waits for the transmitter, as a real 16550 needs; QEMU's is ready at once. */
static void put_char(char c)
{
    while (!(inb(COM1_LSR) & LSR_THR_EMPTY)) {
    }
    outb(COM1, c);
}

static void put_string(const char *s)
{
    while (*s) {
        put_char(*s++);
    }
}

static void put_unsigned(unsigned v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n) {
        put_char(digits[--n]);
    }
}

void guest_main(void)
{
    outb(COM1_LCR, 0x03); /* 8 data bits, no parity, 1 stop bit; QEMU ignores the baud rate */
    put_string("godwit guest: a-b over [4 MiB, 96 MiB), first byte of each 4 KiB page +1 per sweep\n");
    for (unsigned counter = 1;; counter++) {
        /* volatile: every page must really be written, in order, once per sweep */
        for (unsigned a = AB_START; a < AB_END; a += PAGE) {
            (*(volatile unsigned char *)a)++;
        }
        put_string("counter ");
        put_unsigned(counter);
        put_char('\n');
    }
}
