/**
 * Disks and their migration: raw disk images with per-chunk write tracking, their named dirty
 * bitmaps (the model), QEMU's block migration ("block" section, bulk then dirty phase in 1 MiB
 * chunks, zero chunks skipped) and Godwit's "godwit/disks" size check.
 */
package io.godwit.block;
