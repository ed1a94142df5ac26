package io.godwit.stats;

/** The migration's counters (QEMU migration-stats.h); see {@link MigrationCounters}. */
public enum Counter {
    /** Bytes written to the migration stream, all sections and framing included. */
    TRANSFERRED,
    /** Bytes sent before the source stopped. */
    PRECOPY_BYTES,
    /** Bytes sent while the source was stopped. */
    DOWNTIME_BYTES,
    /** Bytes sent after the destination started (post-copy). */
    POSTCOPY_BYTES,
    /** Pages sent in full. */
    NORMAL_PAGES,
    /** Pages sent as ZERO records ("duplicate" in query-migrate). */
    ZERO_PAGES,
    /** Bitmap syncs: the number of passes over dirty memory. */
    DIRTY_SYNC_COUNT,
    /** Pages written per second, over the syncs of the last period of at least 100 ms since setup. */
    DIRTY_PAGES_RATE,
    /**
     * Pages that syncs found newly dirty (not waiting to be sent already), since setup: what
     * auto-converge's trigger compares with the bytes sent (QEMU's num_dirty_pages_period).
     */
    DIRTY_PAGES_SYNCED,
    /** Bytes that were dirty at the last sync: what expected-downtime divides by bandwidth. */
    DIRTY_BYTES_LAST_SYNC,
    /** RAM bytes still to send: dirty pages in the migration bitmap. */
    RAM_REMAINING,
    /** RAM bytes in all migrated blocks. */
    RAM_TOTAL,
    /** Post-copy page requests received. */
    POSTCOPY_REQUESTS,
    /** Pages not sent because their storage attribute says unused. */
    SKIPPED_PAGES,
    /** Disk bytes sent by block migration (chunks, counted at their image size). */
    DISK_TRANSFERRED,
    /** Disk bytes still to send. */
    DISK_REMAINING,
    /** Bytes of all disks under block migration. */
    DISK_TOTAL,
    /** Zero chunks sent as ZERO_BLOCK, without data. */
    DISK_ZERO_BLOCKS,
    /** XBZRLE: bytes of XBZRLE records (without their 8-byte word) and of pages whose delta overflowed. */
    XBZRLE_BYTES,
    /** XBZRLE: pages found in the cache and encoded, whether sent as a delta, whole or not at all. */
    XBZRLE_PAGES,
    /** XBZRLE: pages not found in the cache, sent whole. */
    XBZRLE_CACHE_MISS,
    /** XBZRLE: pages whose delta would not have been smaller than the page, sent whole. */
    XBZRLE_OVERFLOW
}
