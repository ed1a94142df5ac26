package io.godwit.options;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.Set;

/**
 * The multifd parameters, with QEMU's names, defaults and ranges (migration/options.c), and
 * QEMU's migration property multifd-flush-after-each-section as an x- parameter.
 *
 * @param channels multifd-channels: how many channels carry pages besides the main one (1-255)
 * @param compression multifd-compression: none, zlib or zstd
 * @param zlibLevel multifd-zlib-level: 0-9
 * @param zstdLevel multifd-zstd-level: 0-20
 * @param zeroPageDetection zero-page-detection: none (zero pages go as data), legacy (ZERO records
 *     on the main channel), multifd (listed in the channels' packets; QEMU 9.0 and later)
 * @param flushAfterEachSection x-multifd-flush-after-each-section: sync the channels at every
 *     section's end, as QEMU 7.2 does (and needs from a source); off, QEMU 8.0+'s way: sync at
 *     each round over memory and mark it with a MULTIFD_FLUSH record
 */
public record MultifdParameters(int channels, Compression compression, int zlibLevel, int zstdLevel,
        ZeroPageDetection zeroPageDetection, boolean flushAfterEachSection) {
    public static final String CHANNELS = "multifd-channels";
    public static final String COMPRESSION = "multifd-compression";
    public static final String ZLIB_LEVEL = "multifd-zlib-level";
    public static final String ZSTD_LEVEL = "multifd-zstd-level";
    public static final String ZERO_PAGE_DETECTION = "zero-page-detection";
    public static final String FLUSH_AFTER_EACH_SECTION = "x-multifd-flush-after-each-section";
    public static final Set<String> NAMES = Set.of(CHANNELS, COMPRESSION, ZLIB_LEVEL, ZSTD_LEVEL,
            ZERO_PAGE_DETECTION, FLUSH_AFTER_EACH_SECTION);

    /** multifd-compression (qapi MultiFDCompression, without qpl, uadk and qatzip). */
    public enum Compression {
        NONE, ZLIB, ZSTD;

        public String qmpName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** zero-page-detection (qapi ZeroPageDetection). */
    public enum ZeroPageDetection {
        NONE, LEGACY, MULTIFD;

        public String qmpName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MultifdParameters {
        if (channels < 1 || channels > 255) {
            throw new IllegalArgumentException("Parameter 'multifd-channels' expects a value between 1 and 255");
        }
        if (zlibLevel < 0 || zlibLevel > 9) {
            throw new IllegalArgumentException("Parameter 'multifd-zlib-level' expects a value between 0 and 9");
        }
        if (zstdLevel < 0 || zstdLevel > 20) {
            throw new IllegalArgumentException("Parameter 'multifd-zstd-level' expects a value between 0 and 20");
        }
        java.util.Objects.requireNonNull(compression, COMPRESSION);
        java.util.Objects.requireNonNull(zeroPageDetection, ZERO_PAGE_DETECTION);
    }

    /** QEMU's defaults: 2 channels, no compression, levels 1, zero pages in the packets. */
    public static MultifdParameters defaults() {
        return new MultifdParameters(2, Compression.NONE, 1, 1, ZeroPageDetection.MULTIFD, false);
    }

    /** Sets one parameter by its QMP name from a QMP value: a Long, a String or a Boolean. */
    public MultifdParameters with(String name, Object value) {
        return switch (name) {
            case CHANNELS -> new MultifdParameters(integer(name, value), compression, zlibLevel, zstdLevel,
                    zeroPageDetection, flushAfterEachSection);
            case COMPRESSION -> new MultifdParameters(channels, choice(Compression.class, name, value), zlibLevel,
                    zstdLevel, zeroPageDetection, flushAfterEachSection);
            case ZLIB_LEVEL -> new MultifdParameters(channels, compression, integer(name, value), zstdLevel,
                    zeroPageDetection, flushAfterEachSection);
            case ZSTD_LEVEL -> new MultifdParameters(channels, compression, zlibLevel, integer(name, value),
                    zeroPageDetection, flushAfterEachSection);
            case ZERO_PAGE_DETECTION -> new MultifdParameters(channels, compression, zlibLevel, zstdLevel,
                    choice(ZeroPageDetection.class, name, value), flushAfterEachSection);
            case FLUSH_AFTER_EACH_SECTION -> {
                if (!(value instanceof Boolean b)) {
                    throw new IllegalArgumentException("Parameter '" + name + "' expects a boolean");
                }
                yield new MultifdParameters(channels, compression, zlibLevel, zstdLevel, zeroPageDetection, b);
            }
            default -> throw new IllegalArgumentException("Parameter '" + name + "' is unexpected");
        };
    }

    private static int integer(String name, Object value) {
        if (!(value instanceof Long l)) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects an integer");
        }
        return l < Integer.MIN_VALUE || l > Integer.MAX_VALUE ? -1 : (int) (long) l; // out of range: refused
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String name, Object value) {
        if (value instanceof String s) {
            for (E e : type.getEnumConstants()) {
                if (e.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return e;
                }
            }
        }
        StringBuilder all = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            all.append(all.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("Parameter '" + name + "' expects one of " + all);
    }

    /** Every parameter by its QMP name, as query-migrate-parameters shows it. */
    public SequencedMap<String, Object> byName() {
        SequencedMap<String, Object> m = new LinkedHashMap<>();
        m.put(CHANNELS, (long) channels);
        m.put(COMPRESSION, compression.qmpName());
        m.put(ZLIB_LEVEL, (long) zlibLevel);
        m.put(ZSTD_LEVEL, (long) zstdLevel);
        m.put(ZERO_PAGE_DETECTION, zeroPageDetection.qmpName());
        m.put(FLUSH_AFTER_EACH_SECTION, flushAfterEachSection);
        return m;
    }
}
