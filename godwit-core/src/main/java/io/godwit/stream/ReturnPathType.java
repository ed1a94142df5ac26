package io.godwit.stream;

import static io.godwit.stream.StreamConstants.*;

/** Return-path messages, destination to source (migration.c rp_cmd_args); length -1 if variable. */
public enum ReturnPathType {
    SHUT(RP_SHUT, 4),
    PONG(RP_PONG, 4),
    REQ_PAGES_ID(RP_REQ_PAGES_ID, -1),
    REQ_PAGES(RP_REQ_PAGES, 12),
    RECV_BITMAP(RP_RECV_BITMAP, -1),
    RESUME_ACK(RP_RESUME_ACK, 4),
    SWITCHOVER_ACK(RP_SWITCHOVER_ACK, 0);

    private static final ReturnPathType[] BY_CODE = new ReturnPathType[RP_SWITCHOVER_ACK + 1];

    static {
        for (ReturnPathType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    public final int code;
    public final int length;

    ReturnPathType(int code, int length) {
        this.code = code;
        this.length = length;
    }

    public static ReturnPathType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
