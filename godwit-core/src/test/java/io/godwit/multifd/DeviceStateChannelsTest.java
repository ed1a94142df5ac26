package io.godwit.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.options.MultifdParameters;
import io.godwit.transport.Connection;
import io.godwit.transport.MemoryChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Device buffers queued on the source's channels reach the destination's sink whole, with their
 * idstr and instance id, spread over every channel.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeviceStateChannelsTest {
    @Test
    void buffersSpreadOverEveryChannelAndArriveWhole() throws Exception {
        int channels = 4;
        int buffers = 12;
        List<Connection> src = new ArrayList<>();
        List<Connection> dst = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            MemoryChannel c = new MemoryChannel();
            src.add(c.sourceEnd());
            dst.add(c.destinationEnd());
        }
        MultifdParameters p = MultifdParameters.defaults().with(MultifdParameters.CHANNELS, (long) channels);
        Map<Integer, byte[]> received = new ConcurrentHashMap<>();
        Map<String, Integer> perChannel = new ConcurrentHashMap<>();
        try (MultifdReceiver receiver = new MultifdReceiver(dst, p, List::of, () -> {})) {
            receiver.setDeviceStateSink((header, data, where) -> {
                assertThat(header.idstr()).isEqualTo("gpu0/vfio");
                assertThat(header.instanceId()).isEqualTo(5);
                received.put((int) data[0], data);
                perChannel.merge(where.substring(0, where.indexOf(',')), 1, Integer::sum);
            });
            receiver.start();
            try (MultifdSender sender = MultifdSender.start(src, p, new byte[16])) {
                for (int i = 0; i < buffers; i++) {
                    byte[] data = new byte[1000 + i];
                    java.util.Arrays.fill(data, (byte) i);
                    sender.queueDeviceState("gpu0/vfio", 5, data, data.length);
                }
                sender.awaitDeviceStateWritten();
            } // close: the channels end
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (received.size() < buffers && receiver.failure() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(receiver.failure()).isNull();
        }
        assertThat(received).hasSize(buffers);
        for (int i = 0; i < buffers; i++) {
            byte[] expected = new byte[1000 + i];
            java.util.Arrays.fill(expected, (byte) i);
            assertThat(received.get(i)).isEqualTo(expected);
        }
        assertThat(perChannel.keySet()).containsExactlyInAnyOrder("multifd channel 0", "multifd channel 1",
                "multifd channel 2", "multifd channel 3");
    }
}
