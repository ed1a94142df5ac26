package io.godwit.options;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The xbzrle parameter, with QEMU's name, default and check (migration/options.c). Unlike the
 * multifd parameters it may change while a migration runs: the source's page cache is then
 * replaced by an empty one of the new size, as QEMU's xbzrle_cache_resize does.
 *
 * @param cacheSize xbzrle-cache-size: bytes of page copies the source keeps to encode deltas
 *     against; a power of two, at least one target page
 */
public record XbzrleParameters(long cacheSize) {
    public static final String CACHE_SIZE = "xbzrle-cache-size";
    public static final Set<String> NAMES = Set.of(CACHE_SIZE);
    /** QEMU's DEFAULT_MIGRATE_XBZRLE_CACHE_SIZE. */
    public static final long DEFAULT_CACHE_SIZE = 64L << 20;
    private static final long TARGET_PAGE_SIZE = io.godwit.stream.StreamConstants.TARGET_PAGE_SIZE;

    public XbzrleParameters {
        if (cacheSize < TARGET_PAGE_SIZE || Long.bitCount(cacheSize) != 1) {
            // QEMU's own wording, parameter name with the underscore as it reports it
            throw new IllegalArgumentException(
                    "Parameter 'xbzrle_cache_size' expects a power of two no less than the target page size");
        }
    }

    public static XbzrleParameters defaults() {
        return new XbzrleParameters(DEFAULT_CACHE_SIZE);
    }

    /** Sets one parameter by its QMP name from a QMP value (a Long). */
    public XbzrleParameters with(String name, Object value) {
        if (!CACHE_SIZE.equals(name)) {
            throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        }
        if (!(value instanceof Long l)) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects an integer");
        }
        return new XbzrleParameters(l);
    }

    /** Every parameter by its QMP name, as query-migrate-parameters shows it. */
    public SequencedMap<String, Object> byName() {
        SequencedMap<String, Object> m = new LinkedHashMap<>();
        m.put(CACHE_SIZE, cacheSize);
        return m;
    }
}
