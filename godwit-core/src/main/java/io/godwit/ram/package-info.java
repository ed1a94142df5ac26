/**
 * RAM: named blocks of off-heap memory in 4 KiB pages with dirty tracking (writes through the
 * block's methods, or a DirtyTracker for writes that bypass them), and the "ram" section handler
 * in QEMU's version-4 encoding (migration/ram.c).
 */
package io.godwit.ram;
