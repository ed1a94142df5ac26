package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Return-path messages the source refuses (migration.c source_return_path_thread rules). */
class ReturnPathReaderRefusalTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 8, 0x100, 0xffff})
    void refusesUnknownMessageType(int type) {
        ReturnPathReader r = new ReturnPathReader(input(hex(String.format("%04x 0000", type))));
        assertRefused(r::next, StreamFormatException.class, 0,
                String.format("return path: unknown message 0x%04x (length 0)", type));
    }

    @Test
    void refusesUnknownTypeAfterAValidMessage() throws Exception {
        ReturnPathReader r = new ReturnPathReader(input(hex("0002 0004 00000001 0009 0002 abcd")));
        assertThat(r.next()).isEqualTo(ReturnPathMessage.pong(1));
        assertRefused(r::next, StreamFormatException.class, 8, "unknown message 0x0009 (length 2)");
    }

    @Test
    void refusesPongWithWrongLength() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0002 0002 0001")));
        assertRefused(r::next, StreamFormatException.class, 0, "return path: PONG has length 2; expected 4");
    }

    @Test
    void refusesReqPagesWithWrongLength() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0004 0008 0000000000001000")));
        assertRefused(r::next, StreamFormatException.class, 0, "REQ_PAGES has length 8; expected 12");
    }

    @Test
    void refusesSwitchoverAckWithPayload() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0007 0004 00000000")));
        assertRefused(r::next, StreamFormatException.class, 0, "SWITCHOVER_ACK has length 4; expected 0");
    }

    @Test
    void refusesMessageTruncatedInItsHeader() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0001 00")));
        assertRefused(r::next, TruncatedStreamException.class, 2, "expected 2 bytes");
    }

    @Test
    void refusesMessageTruncatedInItsPayload() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0001 0004 0000")));
        assertRefused(r::next, TruncatedStreamException.class, 6, "expected 2 more bytes of a 4-byte field");
    }
}
