package io.godwit.reference.workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The pages of a {@link MemoryImage}, one kind at a time, from one random source (one per chunk
 * of the image, so that the image does not depend on threads).
 */
final class ImagePages {
    private static final int PAGE = MemoryImage.PAGE;
    private static final String[] WORDS = ("the of and to a in is it you that he was for on are with as his they be "
            + "at one have this from or had by hot word but what some we can out other were all there when up use "
            + "your how said an each she which do their time if will way about many then them write would like so "
            + "these her long make thing see him two has look more day could go come did number sound no most "
            + "people my over know water than call first who may down side been now find any new work part take "
            + "get place made live where after back little only round man year came show every good me give our "
            + "under name very through just form sentence great think say help low line differ turn cause much "
            + "mean before move right boy old too same tell does set three want air well also play small end put "
            + "home read hand port large spell add even land here must big high such follow act why ask men change "
            + "went light kind off need house picture try us again animal point mother world near build self earth "
            + "father head stand own page should country found answer school grow study still learn plant cover "
            + "food sun four between state keep eye never last let thought city tree cross farm hard start might "
            + "story saw far sea draw left late run while press close night real life few north").split(" ");
    private static final String[] IDENTS = {"request", "buffer", "offset", "length", "count", "index", "value",
        "result", "entry", "node", "key", "session", "channel", "page", "block", "state", "handler", "config"};
    private static final String[] TYPES = {"int", "long", "String", "byte[]", "List<String>", "Map<String, Object>",
        "boolean", "RamBlock", "ByteBuffer"};
    private static final String[] LEVELS = {"INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "ERROR"};
    private static final int[] KLASSES = new int[40];
    private static final byte[] LIBJVM = readLibjvm();

    static {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < KLASSES.length; i++) {
            KLASSES[i] = 0x00060000 + r.nextInt(0x40000) * 8; // compressed class pointers, near each other
        }
    }

    private final SplittableRandom r;
    private final StringBuilder text = new StringBuilder(PAGE + 256);

    ImagePages(SplittableRandom r) {
        this.r = r;
    }

    /** Fills {@code page} (4 KiB) with one page of {@code kind}; {@code address} is where it lies. */
    void page(MemoryImage.Kind kind, byte[] page, long address) {
        switch (kind) {
            case TEXT -> text(page);
            case CODE -> code(page);
            case HEAP -> heap(page, address);
            case ZERO -> Arrays.fill(page, (byte) 0);
        }
    }

    /** Whether code pages come from the JDK's libjvm.so (else they are synthetic). */
    static boolean realCode() {
        return LIBJVM != null;
    }

    // ------------------------------------------------------------ text

    private void text(byte[] page) {
        text.setLength(0);
        int style = r.nextInt(3);
        while (text.length() < PAGE) {
            switch (style) {
                case 0 -> sentence();
                case 1 -> sourceLine();
                default -> logLine();
            }
        }
        byte[] b = text.substring(0, PAGE).getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, page, 0, PAGE);
    }

    /** A word, common words far more often than rare ones (roughly Zipf). */
    private String word() {
        double u = r.nextDouble();
        return WORDS[(int) (WORDS.length * u * u * u)];
    }

    private void sentence() {
        int n = 5 + r.nextInt(15);
        String first = word();
        text.append(Character.toUpperCase(first.charAt(0))).append(first, 1, first.length());
        for (int i = 1; i < n; i++) {
            text.append(i % 7 == 6 && r.nextInt(3) == 0 ? ", " : " ").append(word());
        }
        text.append(r.nextInt(10) == 0 ? "?" : ".").append(r.nextInt(6) == 0 ? "\n\n" : " ");
    }

    private void sourceLine() {
        String a = IDENTS[r.nextInt(IDENTS.length)];
        String b = IDENTS[r.nextInt(IDENTS.length)];
        String indent = "    ".repeat(1 + r.nextInt(3));
        switch (r.nextInt(6)) {
            case 0 -> text.append(indent).append("if (").append(a).append(" == null) {\n").append(indent)
                    .append("    throw new IllegalArgumentException(\"").append(a).append(" is null\");\n")
                    .append(indent).append("}\n");
            case 1 -> text.append(indent).append(TYPES[r.nextInt(TYPES.length)]).append(' ').append(a).append(" = ")
                    .append(b).append('.').append("get").append(Character.toUpperCase(a.charAt(0)))
                    .append(a, 1, a.length()).append("();\n");
            case 2 -> text.append(indent).append("for (int i = 0; i < ").append(a).append(".length; i++) {\n")
                    .append(indent).append("    ").append(b).append(" += ").append(a).append("[i];\n")
                    .append(indent).append("}\n");
            case 3 -> text.append(indent).append("return ").append(a).append(" + ").append(r.nextInt(64))
                    .append(";\n");
            case 4 -> text.append("\n    /** Returns the ").append(a).append(" of this ").append(b)
                    .append(". */\n    public ").append(TYPES[r.nextInt(TYPES.length)]).append(' ').append(a)
                    .append("() {\n");
            default -> text.append(indent).append("// ").append(word()).append(' ').append(word()).append(' ')
                    .append(word()).append('\n');
        }
    }

    private void logLine() {
        text.append(String.format("2026-11-30T%02d:%02d:%02d.%03dZ %s [worker-%d] io.godwit.%s - %s %d %s in %d ms%n",
                r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1000), LEVELS[r.nextInt(LEVELS.length)],
                r.nextInt(16), IDENTS[r.nextInt(IDENTS.length)], IDENTS[r.nextInt(IDENTS.length)],
                r.nextInt(100_000), word(), r.nextInt(500)));
    }

    // ------------------------------------------------------------ code

    private void code(byte[] page) {
        if (LIBJVM != null && LIBJVM.length > 2 * PAGE) {
            int pages = LIBJVM.length / PAGE;
            int at = (pages / 8 + r.nextInt(Math.max(1, pages / 2))) * PAGE; // past the headers, into the text
            System.arraycopy(LIBJVM, Math.min(at, LIBJVM.length - PAGE), page, 0, PAGE);
            return;
        }
        syntheticCode(page);
    }

    /** x86-64-like functions: prologue, moves with small immediates, calls, epilogue, int3 padding. */
    private void syntheticCode(byte[] page) {
        int i = 0;
        while (i < PAGE - 16) {
            int op = r.nextInt(8);
            byte[] ins = switch (op) {
                case 0 -> new byte[] {0x55, 0x48, (byte) 0x89, (byte) 0xe5}; // push rbp; mov rbp, rsp
                case 1 -> new byte[] {0x48, (byte) 0x8b, 0x45, (byte) (-8 * (1 + r.nextInt(8)))};
                case 2 -> new byte[] {(byte) 0xb8, (byte) r.nextInt(64), 0, 0, 0};
                case 3 -> new byte[] {(byte) 0xe8, (byte) r.nextInt(256), (byte) r.nextInt(256), (byte) 0xff, (byte) 0xff};
                case 4 -> new byte[] {0x48, (byte) 0x83, (byte) 0xc4, (byte) (8 * r.nextInt(8))};
                case 5 -> new byte[] {0x5d, (byte) 0xc3, (byte) 0xcc, (byte) 0xcc}; // pop rbp; ret; int3 padding
                case 6 -> new byte[] {0x74, (byte) r.nextInt(128)};
                default -> new byte[] {0x48, (byte) 0x89, (byte) (0xc0 + r.nextInt(64))};
            };
            System.arraycopy(ins, 0, page, i, ins.length);
            i += ins.length;
        }
        Arrays.fill(page, i, PAGE, (byte) 0xcc);
    }

    private static byte[] readLibjvm() {
        try {
            return Files.readAllBytes(Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so"));
        } catch (IOException | RuntimeException e) {
            return null; // synthetic code pages then
        }
    }

    // ------------------------------------------------------------ heap

    /**
     * Objects as a JVM with compressed pointers lays them out: an 8-byte mark word (mostly
     * "unlocked, no hash"), a 4-byte class pointer, then fields: pointers to nearby objects,
     * small integers, flags; byte arrays of words for strings; 8-byte alignment; and now and then
     * a gap of zeros (space not yet allocated in a thread's buffer).
     */
    private void heap(byte[] page, long address) {
        Arrays.fill(page, (byte) 0);
        int i = 0;
        while (i < PAGE - 16) {
            if (r.nextInt(20) == 0) {
                i += 8 * (8 + r.nextInt(64)); // a zero gap
                continue;
            }
            putLong(page, i, r.nextInt(8) == 0 ? ((long) r.nextInt() << 8) | 1 : 1); // mark word, sometimes hashed
            putInt(page, i + 8, KLASSES[(int) (KLASSES.length * Math.pow(r.nextDouble(), 2))]);
            int at = i + 12;
            if (r.nextInt(4) == 0) {
                at = byteArray(page, at);
            } else {
                int fields = 1 + r.nextInt(6);
                for (int f = 0; f < fields && at + 4 <= PAGE; f++, at += 4) {
                    putInt(page, at, field(address + at));
                }
            }
            i = (at + 7) & ~7;
        }
    }

    private int field(long address) {
        return switch (r.nextInt(5)) {
            case 0, 1 -> (int) ((0x7_0000_0000L + address + 8L * (r.nextInt(4096) - 2048)) >>> 3); // a nearby object
            case 2 -> r.nextInt(100);
            case 3 -> r.nextInt(2);
            default -> 0; // null
        };
    }

    /** A byte[] of a string's Latin-1 bytes: its length, then the bytes. */
    private int byteArray(byte[] page, int at) {
        StringBuilder s = new StringBuilder();
        int words = 1 + r.nextInt(6);
        for (int w = 0; w < words; w++) {
            s.append(w > 0 ? " " : "").append(word());
        }
        byte[] b = s.toString().getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(b.length, PAGE - at - 4);
        if (n <= 0) {
            return PAGE;
        }
        putInt(page, at, n);
        System.arraycopy(b, 0, page, at + 4, n);
        return at + 4 + n;
    }

    private static void putLong(byte[] p, int at, long v) {
        putInt(p, at, (int) v);
        putInt(p, at + 4, (int) (v >>> 32));
    }

    private static void putInt(byte[] p, int at, int v) {
        if (at + 4 > p.length) {
            return;
        }
        p[at] = (byte) v;
        p[at + 1] = (byte) (v >>> 8);
        p[at + 2] = (byte) (v >>> 16);
        p[at + 3] = (byte) (v >>> 24);
    }
}
