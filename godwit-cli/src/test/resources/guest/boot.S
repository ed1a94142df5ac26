/*
 * Entry point of the test guest. QEMU's -kernel loads a Multiboot ELF itself and jumps to
 * _start in 32-bit protected mode with paging and interrupts off, so the guest needs no boot
 * loader, no page tables and no interrupt handlers: it addresses physical memory directly.
 */
#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_FLAGS 0 /* an ELF kernel: QEMU takes the load addresses from its headers */

    .section .multiboot, "a"
    .align 4
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    .text
    .globl _start
_start:
    mov $stack_top, %esp
    call guest_main
halt:                       /* guest_main never returns; stop here if it ever does */
    hlt
    jmp halt

    .bss
    .align 16
    .skip 16384
stack_top:

    /* The stack is not executable; without this note ld warns and marks it so. */
    .section .note.GNU-stack, "", @progbits
