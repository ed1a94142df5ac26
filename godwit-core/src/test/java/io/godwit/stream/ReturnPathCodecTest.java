package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Return-path messages, destination to source: be16 type, be16 length, payload (migration.c). */
class ReturnPathCodecTest {

    static Stream<Arguments> goldenMessages() {
        return Stream.of(
                Arguments.of(ReturnPathMessage.shut(0), "0001 0004 00000000"),
                Arguments.of(ReturnPathMessage.shut(1), "0001 0004 00000001"),
                Arguments.of(ReturnPathMessage.pong(0x2a), "0002 0004 0000002a"),
                // be64 start, be32 length
                Arguments.of(ReturnPathMessage.reqPages(null, 0x3000, 0x1000),
                        "0004 000c 0000000000003000 00001000"),
                // be64 start, be32 length, u8 length + block name
                Arguments.of(ReturnPathMessage.reqPages("pc.ram", 0x3000, 0x2000),
                        "0003 0013 0000000000003000 00002000 06 70632e72616d"),
                Arguments.of(ReturnPathMessage.switchoverAck(), "0007 0000"));
    }

    @ParameterizedTest
    @MethodSource("goldenMessages")
    void writesMessageAsTypeLengthPayload(ReturnPathMessage m, String golden) throws IOException {
        Bytes.Sink sink = Bytes.sink();
        new ReturnPathWriter(new StreamOutput(sink)).send(m);
        assertThat(sink.toByteArray()).as("flushed by send").containsExactly(hex(golden));
    }

    @ParameterizedTest
    @MethodSource("goldenMessages")
    void readsHandWrittenMessage(ReturnPathMessage m, String golden) throws IOException {
        ReturnPathReader r = new ReturnPathReader(input(hex(golden)));
        assertThat(r.next()).isEqualTo(m);
        assertThat(r.next()).isNull();
    }

    @Test
    void roundTripsMessagesOfEveryType() throws IOException {
        List<ReturnPathMessage> messages = List.of(
                ReturnPathMessage.shut(0), ReturnPathMessage.pong(-1),
                ReturnPathMessage.reqPages("block-with-a-long-name", Long.MAX_VALUE & -4096L, 4096),
                ReturnPathMessage.reqPages(null, 0, 0),
                ReturnPathMessage.recvBitmap("pc.ram"),
                ReturnPathMessage.resumeAck(1),
                ReturnPathMessage.switchoverAck());
        Bytes.Sink sink = Bytes.sink(16);
        ReturnPathWriter w = new ReturnPathWriter(new StreamOutput(sink));
        for (ReturnPathMessage m : messages) {
            w.send(m);
        }
        w.close();
        assertThat(sink.closed()).isTrue();
        ReturnPathReader r = new ReturnPathReader(Bytes.chopped(sink.toByteArray(), 7));
        for (ReturnPathMessage m : messages) {
            assertThat(r.next()).isEqualTo(m);
        }
        assertThat(r.next()).isNull();
    }

    @Test
    void messageTypeCodesAreQemus() {
        assertThat(Stream.of(ReturnPathType.values()).map(t -> t.code)).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }
}
