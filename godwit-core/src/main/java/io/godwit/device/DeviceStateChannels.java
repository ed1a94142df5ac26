package io.godwit.device;

import java.io.IOException;

/**
 * The source's multifd channels as a device's save thread sees them: one buffer at a time, sent
 * as a device state packet on the next channel. Called from any thread; blocks while the
 * channels are busy.
 */
public interface DeviceStateChannels {
    /** Sends {@code data[0..size)}; the channel keeps {@code data} from now on. */
    void send(String idstr, int instanceId, byte[] data, int size) throws IOException;

    /** Waits until what was sent is written on the channels (none is left queued). */
    void awaitWritten() throws IOException;
}
