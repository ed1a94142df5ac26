/**
 * Migration of the dirty bitmaps of disks (QEMU migration/block-dirty-bitmap.c): the "dirty-
 * bitmap" section handler, which sends each bitmap's name, granularity, flags and bits so
 * incremental backups stay incremental on the destination. The bitmaps themselves are part of
 * the block model.
 */
package io.godwit.bitmap;
