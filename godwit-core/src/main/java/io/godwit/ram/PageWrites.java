package io.godwit.ram;

/**
 * Counts the pages a thread writes through {@link RamBlock}'s methods, for threads that ask to be
 * counted (the machine's workload threads, whose dirty rate dirty-limit caps). Other threads pay
 * one thread-local read per write. Writes that bypass RamBlock (plain stores to a segment that
 * the kernel or page hashes track) are not seen here.
 */
public final class PageWrites {
    private static final ThreadLocal<PageWrites> CURRENT = new ThreadLocal<>();

    private volatile long pages; // written by the owning thread only

    /** Counts the calling thread's writes in {@code counter} from now on; null stops counting. */
    public static void countOnThisThread(PageWrites counter) {
        if (counter == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(counter);
        }
    }

    static void add(long n) {
        PageWrites c = CURRENT.get();
        if (c != null) {
            c.pages += n; // a single writer: the volatile write publishes, no lost updates
        }
    }

    /** Pages written so far (a page written twice counts twice, as the workloads' rates count). */
    public long pages() {
        return pages;
    }
}
