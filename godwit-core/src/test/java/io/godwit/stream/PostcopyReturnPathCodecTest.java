package io.godwit.stream;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Bytes.input;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The post-copy return-path messages (migration.c): page requests, the received bitmap that
 * follows RECV_BITMAP, RESUME_ACK; golden bytes, round trips and the source's refusals.
 */
class PostcopyReturnPathCodecTest {

    private static byte[] sent(Bytes.IoConsumer<ReturnPathWriter> body) throws IOException {
        Bytes.Sink sink = Bytes.sink();
        body.accept(new ReturnPathWriter(new StreamOutput(sink)));
        return sink.toByteArray();
    }

    @Test
    void pageRequestsRoundTripWithAndWithoutABlockName() throws IOException {
        PageRequest named = new PageRequest("pc.ram", 0x7000, 0x1000);
        PageRequest same = new PageRequest(null, 0x9000, 0x1000);
        byte[] golden = hex("0003 0013 0000000000007000 00001000 06 70632e72616d | 0004 000c 0000000000009000 00001000");
        assertThat(sent(w -> {
            w.send(named.toMessage());
            w.send(same.toMessage());
        })).containsExactly(golden);
        ReturnPathReader r = new ReturnPathReader(input(golden));
        assertThat(PageRequest.of(r.next())).isEqualTo(named);
        assertThat(PageRequest.of(r.next())).isEqualTo(same);
    }

    @Test
    void refusesReqPagesIdWhoseNameDoesNotFillTheMessage() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0003 000e 0000000000003000 00001000 00 ff")));
        assertRefused(r::next, StreamFormatException.class, 0, "return path: Req_Page_id with length 14 expecting 13");
        ReturnPathReader shorter = new ReturnPathReader(input(hex("0003 0010 0000000000003000 00001000 05 616263")));
        assertRefused(shorter::next, StreamFormatException.class, 0, "Req_Page_id with length 16 expecting 18");
        ReturnPathReader tiny = new ReturnPathReader(input(hex("0003 0004 00000000")));
        assertRefused(tiny::next, StreamFormatException.class, 0, "Req_Page_id with length 4 expecting 13");
    }

    @Test
    void resumeAckCarriesOne() throws IOException {
        byte[] golden = hex("0006 0004 00000001");
        assertThat(sent(w -> w.send(ReturnPathMessage.resumeAck(StreamConstants.RESUME_ACK_VALUE))))
                .containsExactly(golden);
        assertThat(new ReturnPathReader(input(golden)).next().intValue()).isEqualTo(1);
    }

    /** 70 pages: 9 bytes of bits, sent as 16; pages 0, 9 and 69 received. */
    static final String BITMAP = "0005 0007 06 70632e72616d | 0000000000000010 | 0102000000000000 2000000000000000"
            + " | 0123456789abcdef";

    @Test
    void receivedBitmapFollowsItsMessageLittleEndianInWholeWords() throws IOException {
        long[] words = {1L | 1L << 9, 1L << 5 | 1L << 40}; // bit 104 lies past the block: not sent
        assertThat(sent(w -> w.sendReceivedBitmap("pc.ram", words, 70))).containsExactly(hex(BITMAP));
        ReturnPathReader r = new ReturnPathReader(input(hex(BITMAP)));
        ReturnPathMessage m = r.next();
        assertThat(m).isEqualTo(ReturnPathMessage.recvBitmap("pc.ram"));
        assertThat(r.readReceivedBitmap("pc.ram", 70)).containsExactly(1L | 1L << 9, 1L << 5);
        assertThat(r.next()).isNull();
    }

    @Test
    void receivedBitmapOfABlockOfWholeWords() throws IOException {
        long[] words = {-1L, 0x8000000000000001L};
        byte[] bytes = sent(w -> w.sendReceivedBitmap("b", words, 128));
        ReturnPathReader r = new ReturnPathReader(Bytes.chopped(bytes, 3));
        r.next();
        assertThat(r.readReceivedBitmap("b", 128)).containsExactly(words);
    }

    @Test
    void refusesReceivedBitmapOfAnotherSize() {
        ReturnPathReader r = new ReturnPathReader(input(hex(BITMAP)));
        assertRefused(() -> {
            r.next();
            r.readReceivedBitmap("pc.ram", 200);
        }, StreamFormatException.class, 11, "ramblock 'pc.ram' bitmap size mismatch (0x10 != 0x20)");
    }

    @Test
    void refusesReceivedBitmapWithoutItsEndMark() {
        String broken = BITMAP.replace("0123456789abcdef", "0123456789abcdee");
        ReturnPathReader r = new ReturnPathReader(input(hex(broken)));
        assertRefused(() -> {
            r.next();
            r.readReceivedBitmap("pc.ram", 70);
        }, StreamFormatException.class, 35, "ramblock 'pc.ram' end mark incorrect: 0x123456789abcdee");
    }

    @Test
    void refusesTruncatedReceivedBitmap() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0005 0002 01 62 | 0000000000000008 01020304")));
        assertRefused(() -> {
            r.next();
            r.readReceivedBitmap("b", 64);
        }, TruncatedStreamException.class, 14, "8 bytes");
    }

    @Test
    void refusesRecvBitmapMessageWithoutAName() {
        ReturnPathReader r = new ReturnPathReader(input(hex("0005 0000")));
        assertRefused(r::next, StreamFormatException.class, 0, "MIG_RP_MSG_RECV_BITMAP missing block name");
        ReturnPathReader wrong = new ReturnPathReader(input(hex("0005 0003 05 6162")));
        assertRefused(wrong::next, StreamFormatException.class, 0, "length mismatch: name of 5 bytes");
    }
}
