package io.godwit.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void givesPortsThatCanBeBoundAndNeverTheSameOneTwice() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.pick();
            assertThat(ports.add(port)).as("port %d given twice", port).isTrue();
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }
}
