package io.godwit.api;

import io.godwit.migration.MigrationInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Records a node's callbacks in order, as "stopped", "resumed", "live", "finished:STATUS". */
final class Recorder implements NodeListener {
    private final List<String> events = new ArrayList<>();
    final CountDownLatch finished = new CountDownLatch(1);
    volatile MigrationInfo last;

    private synchronized void add(String e) {
        events.add(e);
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public void stopped() {
        add("stopped");
    }

    @Override
    public void resumed() {
        add("resumed");
    }

    @Override
    public void live() {
        add("live");
    }

    @Override
    public void finished(MigrationInfo info) {
        last = info;
        add("finished:" + info.status().qmpName);
        finished.countDown();
    }
}
