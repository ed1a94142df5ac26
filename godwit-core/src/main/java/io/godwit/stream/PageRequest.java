package io.godwit.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A post-copy page request on the return path (migration.c migrate_send_rp_message_req_pages):
 * be64 start and be32 length in bytes, and the RAM block name (u8 length and bytes) when it is
 * not the block of the previous request: REQ_PAGES_ID with a name, REQ_PAGES without.
 *
 * @param block the block, or null for "the block of the previous request"
 */
public record PageRequest(String block, long start, int length) {

    public ReturnPathMessage toMessage() {
        return ReturnPathMessage.reqPages(block, start, length);
    }

    /** Decodes a REQ_PAGES or REQ_PAGES_ID that {@link ReturnPathReader} has checked. */
    public static PageRequest of(ReturnPathMessage m) {
        ByteBuffer b = ByteBuffer.wrap(m.data());
        return switch (m.type()) {
            case REQ_PAGES -> new PageRequest(null, b.getLong(), b.getInt());
            case REQ_PAGES_ID -> {
                long start = b.getLong();
                int length = b.getInt();
                int n = b.get() & 0xff;
                if (n != b.remaining()) {
                    throw new IllegalArgumentException("REQ_PAGES_ID with a name of " + n + " bytes in "
                            + b.remaining() + " bytes");
                }
                yield new PageRequest(new String(m.data(), 13, n, StandardCharsets.UTF_8), start, length);
            }
            default -> throw new IllegalArgumentException("not a page request: " + m);
        };
    }
}
