package io.godwit.stream;

import static io.godwit.stream.StreamConstants.*;

/** The commands of the stream (savevm.c mig_cmd_args) with their payload length, -1 if variable. */
public enum CommandType {
    OPEN_RETURN_PATH(CMD_OPEN_RETURN_PATH, 0),
    PING(CMD_PING, 4),
    POSTCOPY_ADVISE(CMD_POSTCOPY_ADVISE, -1),
    POSTCOPY_LISTEN(CMD_POSTCOPY_LISTEN, 0),
    POSTCOPY_RUN(CMD_POSTCOPY_RUN, 0),
    POSTCOPY_RAM_DISCARD(CMD_POSTCOPY_RAM_DISCARD, -1),
    PACKAGED(CMD_PACKAGED, 4),
    ENABLE_COLO(CMD_ENABLE_COLO, 0),
    POSTCOPY_RESUME(CMD_POSTCOPY_RESUME, 0),
    RECV_BITMAP(CMD_RECV_BITMAP, -1),
    SWITCHOVER_START(CMD_SWITCHOVER_START, 0);

    private static final CommandType[] BY_CODE = new CommandType[CMD_SWITCHOVER_START + 1];

    static {
        for (CommandType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    public final int code;
    /** Payload length in bytes, or -1 when it varies. */
    public final int length;

    CommandType(int code, int length) {
        this.code = code;
        this.length = length;
    }

    /** The command with this code, or null if there is none. */
    public static CommandType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
