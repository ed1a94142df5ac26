package io.godwit.bench.loopback;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** One platform thread per connection, started together and joined together; the first failure is rethrown. */
final class LoopbackWorkers {
    /** The work of connection {@code index}. */
    @FunctionalInterface
    interface Task {
        void run(int index) throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    private LoopbackWorkers() {}

    static LoopbackWorkers start(String name, int count, Task task) {
        LoopbackWorkers w = new LoopbackWorkers();
        for (int i = 0; i < count; i++) {
            int index = i;
            w.threads.add(Thread.ofPlatform().name(name + "-" + i).start(() -> {
                try {
                    task.run(index);
                } catch (Exception e) {
                    w.failure.compareAndSet(null, e);
                }
            }));
        }
        return w;
    }

    void join() throws Exception {
        for (Thread t : threads) {
            t.join();
        }
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Closes the connections opened so far, after a failure that is reported on its own. */
    static void closeAll(SocketChannel[] channels) {
        for (SocketChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the first failure is the one reported
                }
            }
        }
    }
}
