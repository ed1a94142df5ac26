package io.godwit.reference.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A key-value table with an ordered index beside the hash table, as a service's in-memory store
 * would keep one for range scans. Values are copied in, so a snapshot can hold references. All
 * methods take the store's lock; a mutation listener, when set, sees every change in order.
 */
public final class KvStore {
    private final Map<String, byte[]> table = new HashMap<>();
    private final TreeMap<String, Integer> index = new TreeMap<>(); // key -> value length
    private Consumer<Mutation> log;

    /** A change: a put (value non-null) or a removal (value null). */
    public record Mutation(String key, byte[] value) {}

    public synchronized void put(String key, byte[] value) {
        byte[] copy = value.clone();
        table.put(key, copy);
        index.put(key, copy.length);
        if (log != null) {
            log.accept(new Mutation(key, copy));
        }
    }

    public synchronized boolean remove(String key) {
        boolean had = table.remove(key) != null;
        index.remove(key);
        if (had && log != null) {
            log.accept(new Mutation(key, null));
        }
        return had;
    }

    public synchronized byte[] get(String key) {
        byte[] v = table.get(key);
        return v == null ? null : v.clone();
    }

    public synchronized int size() {
        return table.size();
    }

    public synchronized void clear() {
        table.clear();
        index.clear();
    }

    /**
     * The table as it is now, as mutations, and from now on every change goes to {@code listener}
     * (null to stop): the snapshot and the log start at the same instant.
     */
    synchronized List<Mutation> snapshotAndLog(Consumer<Mutation> listener) {
        log = listener;
        return entries();
    }

    /** Every entry as a put, in key order. */
    synchronized List<Mutation> entries() {
        List<Mutation> all = new ArrayList<>(table.size());
        for (String k : index.keySet()) {
            all.add(new Mutation(k, table.get(k)));
        }
        return all;
    }

    /** Applies a loaded mutation (destination), rebuilding the index as it goes. */
    synchronized void apply(Mutation m) {
        if (m.value() == null) {
            table.remove(m.key());
            index.remove(m.key());
        } else {
            table.put(m.key(), m.value());
            index.put(m.key(), m.value().length);
        }
    }

    /** SHA-256 over the entries in key order; fails if the index and the table disagree. */
    public synchronized byte[] digest() {
        if (index.size() != table.size()) {
            throw new IllegalStateException("index holds " + index.size() + " keys, table " + table.size());
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Integer> e : index.entrySet()) {
                byte[] v = table.get(e.getKey());
                if (v == null || v.length != e.getValue()) {
                    throw new IllegalStateException("index entry for '" + e.getKey() + "' does not match the table");
                }
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                md.update(ByteBuffer.allocate(2).putShort(0, (short) k.length));
                md.update(k);
                md.update(ByteBuffer.allocate(4).putInt(0, v.length));
                md.update(v);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
