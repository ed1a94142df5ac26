package io.godwit.inspect;

/**
 * What the stream holds for one RAM block: its length from the MEM_SIZE list, and how many
 * records of each kind named a page of it. A page sent several times counts each time;
 * {@link #distinct()} counts each page once, whatever the record.
 */
public final class RamBlockStats {
    private final String name;
    private final long length;
    private final long pageSize;
    private final long[] seen;
    long normal;
    long zero;
    long xbzrle;
    long compressed;
    private long distinct;
    String file; // where --extract-ram wrote it, or null

    RamBlockStats(String name, long length, long pageSize) {
        this.name = name;
        this.length = length;
        this.pageSize = pageSize;
        this.seen = new long[(int) ((pages() + 63) >>> 6)];
    }

    void saw(long page) {
        long bit = 1L << page;
        int w = (int) (page >>> 6);
        if ((seen[w] & bit) == 0) {
            seen[w] |= bit;
            distinct++;
        }
    }

    public String name() {
        return name;
    }

    public long length() {
        return length;
    }

    public long pages() {
        return (length + pageSize - 1) / pageSize;
    }

    /** PAGE records: a whole page of data. */
    public long normal() {
        return normal;
    }

    /** ZERO records: a page that reads as zero (or, from old sources, as one repeated byte). */
    public long zero() {
        return zero;
    }

    /** XBZRLE records: a page sent as a delta against its previous contents. */
    public long xbzrle() {
        return xbzrle;
    }

    /** COMPRESS_PAGE records: a page sent zlib-compressed. */
    public long compressed() {
        return compressed;
    }

    /** Pages named by at least one record. */
    public long distinct() {
        return distinct;
    }

    /** The file --extract-ram wrote this block to, or null. */
    public String file() {
        return file;
    }
}
