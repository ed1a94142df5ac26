package io.godwit.device;

import static io.godwit.stream.StreamConstants.DEV_CONFIG_STATE;
import static io.godwit.stream.StreamConstants.DEV_END_OF_STATE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device's stop-copy on the multifd channels (QEMU 10.0 vfio_multifd_save_complete_precopy_thread):
 * a thread of its own reads the data stream in buffers of {@link #BUFFER} bytes, sends
 * each with its index, and ends with the configuration, flagged as the last buffer. Several
 * devices' threads run at once, so their buffers share the channels.
 */
final class MultifdDeviceSave {
    /**
     * A buffer's bytes: half of the main stream's 1 MiB, so that a buffer with its header is not
     * a humongous object for the JVM's collector (one of 1 MiB and more is, and costs much more
     * to allocate and free).
     */
    static final int BUFFER = (512 << 10) - StateBuffer.HEADER - 64;

    private final MigratableDevice device;
    private final String idstr;
    private final DeviceStateChannels channels;
    private final AtomicLong transferred;
    private volatile boolean stop;
    private volatile Throwable failure;
    private Thread thread;

    MultifdDeviceSave(MigratableDevice device, String idstr, DeviceStateChannels channels, AtomicLong transferred) {
        this.device = device;
        this.idstr = idstr;
        this.channels = channels;
        this.transferred = transferred;
    }

    void start() {
        thread = Thread.ofPlatform().name("godwit-device-save-" + device.id()).start(this::run);
    }

    private void run() {
        try {
            int index = 0;
            while (!stop) {
                byte[] packet = new byte[StateBuffer.HEADER + BUFFER];
                int n = device.read(ByteBuffer.wrap(packet, StateBuffer.HEADER, BUFFER).slice());
                if (n == 0) {
                    break; // STOP_COPY: the end of the state
                }
                StateBuffer.header(packet, index++, false);
                channels.send(idstr, 0, packet, StateBuffer.HEADER + n);
                transferred.addAndGet(n);
            }
            if (!stop) {
                byte[] config = config(index);
                channels.send(idstr, 0, config, config.length);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** The last buffer: CONFIG, be32 length, the description, END_OF_STATE, as the FULL section would hold. */
    private byte[] config(int index) {
        byte[] text = device.describe().getBytes(StandardCharsets.UTF_8);
        byte[] packet = new byte[StateBuffer.HEADER + 8 + 4 + text.length + 8];
        StateBuffer.header(packet, index, true);
        ByteBuffer.wrap(packet, StateBuffer.HEADER, packet.length - StateBuffer.HEADER)
                .putLong(DEV_CONFIG_STATE).putInt(text.length).put(text).putLong(DEV_END_OF_STATE);
        return packet;
    }

    /** Waits for the thread; its failure fails the migration, naming the device. */
    void join() throws IOException, InterruptedException {
        thread.join();
        Throwable t = failure;
        if (t != null) {
            throw new IOException("device " + device.id() + ": sending its state on the multifd channels failed: "
                    + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()), t);
        }
    }

    /** After a failure elsewhere: the thread stops at its next buffer (a blocked send fails with the channels). */
    void abandon() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
