package io.godwit.examples.kv;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One client of the load generator, on its own thread. It owns its keys (nobody else writes them),
 * remembers the last value it wrote to each, and checks every value it reads against that: a
 * different value, or none where it wrote one, is a stale read. A 307 answer moves it to the
 * address in {@code Location} for good, and the request is sent again there.
 *
 * <p>Counters are written by the client's thread only and read by anyone.
 */
final class LoadClient {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ERROR_SAMPLES = 5;

    private final int id;
    private final HttpClient http;
    private final String[] keys;
    private final String[] last; // last value written and acknowledged, or null
    private final String[] unsure; // a write whose answer was lost: either value may be there
    private final SplittableRandom random;
    private final double writeRatio;
    private final int valueSize;
    private final List<String> errorSamples = new ArrayList<>(); // guarded by itself
    private volatile URI base;
    private volatile long requests;
    private volatile long errors;
    private volatile long staleReads;
    private volatile long redirects;
    private volatile long maxPauseNanos;
    private volatile long switchPauseNanos;
    private boolean movedSinceAnswer;
    private volatile long answeredSinceSwitch;
    private long lastAnswer = -1; // no answer yet: the first one starts the clock
    private long seq;

    LoadClient(int id, HttpClient http, URI base, int keyCount, double writeRatio, int valueSize, long seed) {
        this.id = id;
        this.http = http;
        this.base = base;
        this.keys = new String[keyCount];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = "c" + id + "-k" + i;
        }
        this.last = new String[keyCount];
        this.unsure = new String[keyCount];
        this.random = new SplittableRandom(seed);
        this.writeRatio = writeRatio;
        this.valueSize = valueSize;
    }

    /** One request on a random key of this client: a write or a read. */
    void step() throws InterruptedException {
        int k = random.nextInt(keys.length);
        if (random.nextDouble() < writeRatio) {
            write(k);
        } else {
            read(k);
        }
    }

    void write(int k) throws InterruptedException {
        String value = value(k);
        try {
            HttpResponse<byte[]> r = exchange("PUT", keys[k], value.getBytes(StandardCharsets.UTF_8));
            if (r.statusCode() == 200) {
                answered();
                last[k] = value;
                unsure[k] = null;
            } else {
                error("PUT " + keys[k] + ": " + r.statusCode() + " " + text(r));
                unsure[k] = value;
            }
        } catch (IOException e) {
            error("PUT " + keys[k] + ": " + e);
            unsure[k] = value;
        }
    }

    void read(int k) throws InterruptedException {
        try {
            HttpResponse<byte[]> r = exchange("GET", keys[k], null);
            int s = r.statusCode();
            if (s != 200 && s != 404) {
                error("GET " + keys[k] + ": " + s + " " + text(r));
                return;
            }
            answered();
            String got = s == 200 ? text(r) : null;
            if (unsure[k] != null && (Objects.equals(got, unsure[k]) || Objects.equals(got, last[k]))) {
                last[k] = got; // the lost write's fate is known now
                unsure[k] = null;
            } else if (!Objects.equals(got, last[k])) {
                staleReads++;
                sample("stale read of " + keys[k] + ": got " + abbreviate(got) + ", wrote " + abbreviate(last[k]));
            }
        } catch (IOException e) {
            error("GET " + keys[k] + ": " + e);
        }
    }

    /** Sends the request, following 307 answers: the first moves this client for good. */
    private HttpResponse<byte[]> exchange(String method, String key, byte[] body)
            throws IOException, InterruptedException {
        for (int hop = 0; hop < 4; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/kv/" + key)).timeout(REQUEST_TIMEOUT);
            b = body != null ? b.PUT(HttpRequest.BodyPublishers.ofByteArray(body)) : b.GET();
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 307) {
                return r;
            }
            String to = r.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("307 without a Location from " + base));
            URI u = URI.create(to);
            base = URI.create(u.getScheme() + "://" + u.getRawAuthority());
            redirects++;
            answeredSinceSwitch = 0;
            movedSinceAnswer = true;
        }
        throw new IOException(method + " " + key + ": redirected more than 3 times");
    }

    private void answered() {
        long now = System.nanoTime();
        if (lastAnswer >= 0) {
            long gap = now - lastAnswer;
            maxPauseNanos = Math.max(maxPauseNanos, gap);
            if (movedSinceAnswer) {
                switchPauseNanos = Math.max(switchPauseNanos, gap);
            }
        }
        movedSinceAnswer = false;
        lastAnswer = now;
        requests++;
        answeredSinceSwitch++;
    }

    private void error(String what) {
        errors++;
        sample(what);
    }

    private void sample(String what) {
        synchronized (errorSamples) {
            if (errorSamples.size() < MAX_ERROR_SAMPLES) {
                errorSamples.add("client " + id + ": " + what);
            }
        }
    }

    private String value(int k) {
        StringBuilder v = new StringBuilder(keys[k]).append('=').append(++seq).append(';');
        while (v.length() < valueSize) {
            v.append((char) ('a' + (v.length() % 26)));
        }
        return v.toString();
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s == null ? "nothing" : s.length() <= 24 ? "'" + s + "'" : "'" + s.substring(0, 24) + "...'";
    }

    int keyCount() {
        return keys.length;
    }

    /** Reads every key once and checks it; the pause clock restarts, as the load has stopped. */
    void verifyAllKeys() throws InterruptedException {
        lastAnswer = -1;
        for (int k = 0; k < keys.length; k++) {
            read(k);
        }
    }

    /** Keys this client has written (an acknowledged write). Read after the client's thread ended. */
    int keysWritten() {
        int n = 0;
        for (String v : last) {
            if (v != null) {
                n++;
            }
        }
        return n;
    }

    URI base() {
        return base;
    }

    long requests() {
        return requests;
    }

    long errors() {
        return errors;
    }

    long staleReads() {
        return staleReads;
    }

    long redirects() {
        return redirects;
    }

    long maxPauseNanos() {
        return maxPauseNanos;
    }

    /** The gap between the last answer before this client moved and the first one after. */
    long switchPauseNanos() {
        return switchPauseNanos;
    }

    /** Requests answered since this client last moved (all of them if it never moved). */
    long answeredSinceSwitch() {
        return answeredSinceSwitch;
    }

    List<String> errorSamples() {
        synchronized (errorSamples) {
            return List.copyOf(errorSamples);
        }
    }
}
