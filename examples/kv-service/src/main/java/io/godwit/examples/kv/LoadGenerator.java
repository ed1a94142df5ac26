package io.godwit.examples.kv;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;

/**
 * Clients that keep reading and writing the service over HTTP, each on its own thread and keys,
 * checking every read against what it wrote (see {@link LoadClient}). They follow the service
 * when it moves: the source answers 307 with the destination's address.
 */
public final class LoadGenerator implements AutoCloseable {
    /**
     * @param requests requests answered (200, or 404 for a key not written yet)
     * @param errors requests that got no answer or an unexpected one (timeouts, 5xx...)
     * @param staleReads reads that did not return the value last written to the key
     * @param maxPauseMs the longest gap between two answered requests of one client
     * @param switchPauseMs the longest such gap across a move to a new address (0: nobody moved)
     * @param redirects 307 answers followed
     * @param clientsMoved clients that followed at least one 307
     * @param errorSamples the first errors and stale reads, described
     */
    public record Report(long requests, long errors, long staleReads, long maxPauseMs, long switchPauseMs,
            long redirects, int clientsMoved, List<String> errorSamples) {}

    private final HttpClient http;
    private final List<LoadClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /**
     * @param base the service's HTTP base, e.g. http://127.0.0.1:8080
     * @param writeRatio the share of requests that are writes, 0 to 1
     */
    public LoadGenerator(URI base, int clientCount, int keysPerClient, double writeRatio, int valueSize, long seed) {
        if (clientCount < 1 || keysPerClient < 1 || writeRatio < 0 || writeRatio > 1) {
            throw new IllegalArgumentException("need at least one client and one key, and a write ratio in [0, 1]");
        }
        if (valueSize > KvTable.MAX_VALUE) {
            throw new IllegalArgumentException("values have at most " + KvTable.MAX_VALUE + " bytes");
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
        for (int i = 0; i < clientCount; i++) {
            clients.add(new LoadClient(i, http, base, keysPerClient, writeRatio, valueSize, seed + i));
        }
    }

    /** Starts every client's thread. */
    public void start() {
        for (LoadClient c : clients) {
            threads.add(Thread.ofPlatform().daemon().name("kv-load-" + threads.size()).start(() -> run(c)));
        }
    }

    private void run(LoadClient c) {
        try {
            while (!stop) {
                c.step();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Requests answered so far, all clients. */
    public long requests() {
        return sum(LoadClient::requests);
    }

    /** Waits until the clients together have had {@code n} more answers than now. */
    public void awaitMoreRequests(long n, Duration timeout) throws InterruptedException, TimeoutException {
        long target = requests() + n;
        awaitCondition(() -> requests() >= target, timeout, "the clients did not get " + n + " answers");
    }

    /** Waits until every client has moved to {@code base} and had {@code n} answers there. */
    public void awaitAllAnsweredAt(URI base, long n, Duration timeout) throws InterruptedException, TimeoutException {
        awaitCondition(() -> clients.stream().allMatch(c -> c.base().equals(base) && c.answeredSinceSwitch() >= n),
                timeout, "not every client had " + n + " answers from " + base);
    }

    private static void awaitCondition(java.util.function.BooleanSupplier done, Duration timeout, String what)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(what + " within " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /** Stops the clients and waits for their threads (each finishes the request it is in). */
    public void stop() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * After {@link #stop()}: every client reads each of its keys once more and checks it. These
     * reads count as requests, but not into the longest pause: one client waits for the others here.
     */
    public void verifyAllKeys() throws InterruptedException {
        if (!stop) {
            throw new IllegalStateException("stop() the clients first");
        }
        for (LoadClient c : clients) {
            c.verifyAllKeys();
        }
    }

    /** After {@link #stop()}: how many keys the clients have written, so many the table must hold. */
    public long keysWritten() {
        return clients.stream().mapToLong(LoadClient::keysWritten).sum();
    }

    public Report report() {
        List<String> samples = new ArrayList<>();
        for (LoadClient c : clients) {
            samples.addAll(c.errorSamples());
        }
        int moved = (int) clients.stream().filter(c -> c.redirects() > 0).count();
        return new Report(requests(), sum(LoadClient::errors), sum(LoadClient::staleReads),
                clients.stream().mapToLong(LoadClient::maxPauseNanos).max().orElse(0) / 1_000_000,
                clients.stream().mapToLong(LoadClient::switchPauseNanos).max().orElse(0) / 1_000_000,
                sum(LoadClient::redirects), moved, samples.subList(0, Math.min(samples.size(), 10)));
    }

    private long sum(ToLongFunction<LoadClient> f) {
        return clients.stream().mapToLong(f).sum();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        http.close();
    }
}
