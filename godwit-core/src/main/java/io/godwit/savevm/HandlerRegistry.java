package io.godwit.savevm;

import io.godwit.stream.StreamConstants;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The handlers of one machine, in save order: by priority, highest first, then registration
 * order (QEMU's savevm_state.handlers). Section ids are handed out at registration.
 */
public final class HandlerRegistry {
    /** Pass as instance id to take the next free instance of that idstr. */
    public static final int INSTANCE_ID_ANY = -1;
    public static final int PRIORITY_DEFAULT = 0;

    private final List<SaveStateEntry> entries = new CopyOnWriteArrayList<>();
    // Ids start at 1: QEMU finds the target of a PART or END by its loaded section id, and a
    // handler not loaded yet has id 0 there, so a live section numbered 0 can reach the wrong one.
    private int nextSectionId = 1;

    public synchronized SaveStateEntry register(String idstr, int instanceId, int versionId, int priority,
            SaveVmHandler handler) {
        if (idstr.isEmpty() || idstr.getBytes(StandardCharsets.UTF_8).length > StreamConstants.MAX_IDSTR_LENGTH) {
            throw new IllegalArgumentException("idstr must be 1 to 255 bytes: '" + idstr + "'");
        }
        if (instanceId == INSTANCE_ID_ANY) {
            instanceId = nextInstance(idstr);
        } else if (find(idstr, instanceId) != null) {
            throw new IllegalArgumentException("handler " + idstr + "/" + instanceId + " is already registered");
        }
        SaveStateEntry e = new SaveStateEntry(idstr, instanceId, versionId, priority, nextSectionId++, handler);
        int at = 0; // after every entry of this priority or higher: the new one has the highest section id
        while (at < entries.size() && entries.get(at).priority() >= priority) {
            at++;
        }
        entries.add(at, e);
        return e;
    }

    public SaveStateEntry register(String idstr, int versionId, SaveVmHandler handler) {
        return register(idstr, 0, versionId, PRIORITY_DEFAULT, handler);
    }

    public synchronized void unregister(SaveStateEntry e) {
        entries.remove(e);
    }

    private int nextInstance(String idstr) {
        int max = -1;
        for (SaveStateEntry e : entries) {
            if (e.idstr().equals(idstr)) {
                max = Math.max(max, e.instanceId());
            }
        }
        return max + 1;
    }

    /** The entry for {@code idstr}/{@code instanceId}, or null. */
    public SaveStateEntry find(String idstr, int instanceId) {
        for (SaveStateEntry e : entries) {
            if (e.instanceId() == instanceId && e.idstr().equals(idstr)) {
                return e;
            }
        }
        return null;
    }

    /** All entries in save order; a snapshot. */
    public List<SaveStateEntry> entries() {
        return List.copyOf(entries);
    }
}
