/**
 * Measuring how fast a running machine dirties its memory, as QEMU's {@code calc-dirty-rate}
 * does (migration/dirtyrate.c): either by hashing sampled pages of every RAM block at the start
 * and at the end of a window (page-sampling), or by counting the pages the RAM's dirty tracking
 * marks during the window (dirty-bitmap). A measurement runs on a thread of its own; its result is
 * read with {@link io.godwit.dirtyrate.DirtyRateMeter#info()}.
 */
package io.godwit.dirtyrate;
