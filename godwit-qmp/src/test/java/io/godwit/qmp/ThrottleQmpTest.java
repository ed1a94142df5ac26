package io.godwit.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.monitor.Monitor;
import io.godwit.reference.workload.RandomWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The throttle parameters, capabilities and dirty-limit commands as a QMP client sees them. */
class ThrottleQmpTest {
    private Path dir;
    private Machine machine;
    private QmpServer server;
    private Monitor monitor;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("qmp-throttle");
        machine = new Machine("m");
        machine.addRam("pc.ram", 4 << 20);
        machine.addWorkload(new RandomWriter(8 << 20, 1));
        machine.start();
        server = new QmpServer(() -> {});
        monitor = new Monitor(machine, Clock.system(), server::emit);
        server.listen("unix:" + dir.resolve("m.qmp"), monitor);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        monitor.close();
        machine.close();
    }

    private static QmpWireTest.Session session(Path socket) throws Exception {
        QmpWireTest.Session s = new QmpWireTest.Session(socket);
        s.read();
        s.call("{\"execute\": \"qmp_capabilities\"}");
        return s;
    }

    private static String error(JsonNode reply) {
        return reply.path("error").path("desc").asText();
    }

    @Test
    void parametersAreSetShownAndRefusedInQemusWordsAllOrNothing() throws Exception {
        try (QmpWireTest.Session s = session(dir.resolve("m.qmp"))) {
            JsonNode p = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(p.path("cpu-throttle-initial").asInt()).isEqualTo(20);
            assertThat(p.path("cpu-throttle-increment").asInt()).isEqualTo(10);
            assertThat(p.path("cpu-throttle-tailslow").asBoolean()).isFalse();
            assertThat(p.path("max-cpu-throttle").asInt()).isEqualTo(99);
            assertThat(p.path("throttle-trigger-threshold").asInt()).isEqualTo(50);
            assertThat(p.path("vcpu-dirty-limit").asInt()).isEqualTo(1);
            assertThat(p.path("x-vcpu-dirty-limit-period").asInt()).isEqualTo(1000);

            assertThat(error(s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                    + "{\"cpu-throttle-initial\": 30, \"max-cpu-throttle\": 100}}")))
                    .isEqualTo("Parameter 'max_cpu_throttle' expects an integer in the range of cpu_throttle_initial to 99");
            assertThat(error(s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": "
                    + "{\"downtime-limit\": 100, \"vcpu-dirty-limit\": 0}}")))
                    .isEqualTo("Parameter 'vcpu_dirty_limit' is invalid, it must greater than 1 MB/s");
            JsonNode unchanged = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(unchanged.path("cpu-throttle-initial").asInt()).as("a refused set changes nothing").isEqualTo(20);
            assertThat(unchanged.path("downtime-limit").asInt()).isEqualTo(300);

            assertThat(s.call("{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"cpu-throttle-tailslow\": "
                    + "true, \"cpu-throttle-initial\": 35}}").has("error")).isFalse();
            JsonNode set = s.call("{\"execute\": \"query-migrate-parameters\"}").path("return");
            assertThat(set.path("cpu-throttle-tailslow").asBoolean()).isTrue();
            assertThat(set.path("cpu-throttle-initial").asInt()).isEqualTo(35);
        }
    }

    @Test
    void capabilitiesAreAcceptedButNotTogether() throws Exception {
        try (QmpWireTest.Session s = session(dir.resolve("m.qmp"))) {
            assertThat(error(s.call("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
                    + "[{\"capability\": \"auto-converge\", \"state\": true}, "
                    + "{\"capability\": \"dirty-limit\", \"state\": true}]}}")))
                    .isEqualTo("dirty-limit conflicts with auto-converge either of then available currently");
            assertThat(s.call("{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": "
                    + "[{\"capability\": \"dirty-limit\", \"state\": true}]}}").has("error")).isFalse();
        }
    }

    /** The workload's thread registers with the throttle when it starts, after machine.start() returns. */
    private void awaitWriterRegistered() throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (machine.throttle().vcpus().isEmpty()) {
            assertThat(System.nanoTime()).as("the writer started").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void setQueryAndCancelVcpuDirtyLimit() throws Exception {
        awaitWriterRegistered();
        try (QmpWireTest.Session s = session(dir.resolve("m.qmp"))) {
            assertThat(s.call("{\"execute\": \"query-vcpu-dirty-limit\"}").path("return").size()).isZero();
            assertThat(error(s.call("{\"execute\": \"set-vcpu-dirty-limit\", \"arguments\": "
                    + "{\"cpu-index\": 5, \"dirty-rate\": 4}}"))).isEqualTo("incorrect cpu index specified");

            assertThat(s.call("{\"execute\": \"set-vcpu-dirty-limit\", \"arguments\": {\"dirty-rate\": 4}}")
                    .has("error")).isFalse();
            JsonNode limited = s.call("{\"execute\": \"query-vcpu-dirty-limit\"}").path("return");
            assertThat(limited.size()).isEqualTo(1);
            assertThat(limited.path(0).path("cpu-index").asInt()).isZero();
            assertThat(limited.path(0).path("limit-rate").asInt()).isEqualTo(4);
            assertThat(machine.throttle().dirtyLimit()).isEqualTo(4);
            JsonNode t = s.call("{\"execute\": \"x-query-vcpu-throttle\"}").path("return");
            assertThat(t.path("dirty-limit").asInt()).isEqualTo(4);
            assertThat(t.path("vcpus").path(0).path("name").asText()).startsWith("random:");

            assertThat(s.call("{\"execute\": \"cancel-vcpu-dirty-limit\"}").has("error")).isFalse();
            assertThat(s.call("{\"execute\": \"query-vcpu-dirty-limit\"}").path("return").size()).isZero();
            s.call("{\"execute\": \"set-vcpu-dirty-limit\", \"arguments\": {\"dirty-rate\": 4}}");
            s.call("{\"execute\": \"set-vcpu-dirty-limit\", \"arguments\": {\"dirty-rate\": 0}}");
            assertThat(machine.throttle().dirtyLimit()).as("a rate of 0 cancels, as in QEMU").isZero();
        }
    }
}
