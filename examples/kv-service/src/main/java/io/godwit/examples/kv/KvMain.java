package io.godwit.examples.kv;

import io.godwit.api.RegionOptions;
import io.godwit.ram.DirtyTracking;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the key-value service in this process until SIGINT or SIGTERM.
 *
 * <pre>
 * source:      KvMain --listen-http 127.0.0.1:8080 [--size 64M] [--qmp unix:/tmp/kv-src.qmp]
 * destination: KvMain --incoming tcp:127.0.0.1:4444 --listen-http 127.0.0.1:8081 [--size 64M]
 * migrate:     curl -X POST 'http://127.0.0.1:8080/admin/migrate?uri=tcp:127.0.0.1:4444&amp;redirect=http://127.0.0.1:8081'
 * </pre>
 *
 * Once serving it prints one line on stdout, {@code READY http=URL [incoming=URI] [qmp=ADDRESS]},
 * for whoever started it; messages go to stderr.
 */
public final class KvMain {
    static final String USAGE = "usage: KvMain [--listen-http HOST:PORT] [--incoming URI] [--size BYTES[K|M|G]] "
            + "[--name NAME] [--qmp unix:PATH|tcp:HOST:PORT] [--snapshot-at-live] [--prefill KEYS] "
            + "[--tracking auto|kernel|hash|explicit]";

    private KvMain() {}

    public static void main(String[] args) throws Exception {
        KvService.Config config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kv-service: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        CountDownLatch quit = new CountDownLatch(1);
        PrintStream log = System.err;
        try (KvService service = KvService.start(config, log)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                quit.countDown();
                service.close();
            }));
            StringBuilder ready = new StringBuilder("READY http=" + service.httpUri());
            if (service.incomingAddress() != null) {
                ready.append(" incoming=").append(service.incomingAddress());
            }
            if (service.qmpAddress() != null) {
                ready.append(" qmp=").append(service.qmpAddress());
            }
            System.out.println(ready);
            System.out.flush();
            quit.await();
        }
    }

    static KvService.Config parse(String[] args) {
        String name = null;
        String incoming = null;
        String qmp = null;
        InetSocketAddress http = new InetSocketAddress("127.0.0.1", 0);
        long size = 64L << 20;
        boolean snapshot = false;
        long prefill = 0;
        RegionOptions region = RegionOptions.defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--listen-http" -> http = hostPort(value(args, ++i, a));
                case "--incoming" -> incoming = value(args, ++i, a);
                case "--size" -> size = size(value(args, ++i, a));
                case "--name" -> name = value(args, ++i, a);
                case "--qmp" -> qmp = value(args, ++i, a);
                case "--snapshot-at-live" -> snapshot = true;
                case "--prefill" -> prefill = count(value(args, ++i, a));
                case "--tracking" -> region = region.withTracking(DirtyTracking.Mode.parse(value(args, ++i, a)));
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        String n = name != null ? name : incoming != null ? "kv-destination" : "kv-source";
        return KvService.Config.source(n, size).withHttp(http).withIncoming(incoming).withQmp(qmp)
                .withSnapshotAtLive(snapshot).withPrefill(prefill).withRegion(region);
    }

    private static long count(String s) {
        try {
            long n = Long.parseLong(s);
            if (n < 0) {
                throw new IllegalArgumentException("expected a count of keys, not " + s);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a count of keys, not '" + s + "'");
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, not '" + s + "'");
        }
        try {
            return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
    }

    static long size(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        try {
            long v = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
            if (v <= 0 || v > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("size out of range: " + s);
            }
            return v << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad size '" + s + "': expected a number with K, M or G");
        }
    }
}
