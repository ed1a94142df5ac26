package io.godwit.stream;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A QEMU_VM_COMMAND: be16 command, be16 length, then the payload. */
public record Command(CommandType type, byte[] data) implements StreamRecord {

    public Command {
        if (data.length > 0xffff) {
            throw new IllegalArgumentException("command payload over 65535 bytes");
        }
        if (type.length >= 0 && data.length != type.length) {
            throw new IllegalArgumentException(type + " takes " + type.length + " bytes, not " + data.length);
        }
    }

    public static Command openReturnPath() {
        return new Command(CommandType.OPEN_RETURN_PATH, new byte[0]);
    }

    public static Command ping(int value) {
        return new Command(CommandType.PING, ByteBuffer.allocate(4).putInt(value).array());
    }

    public static Command postcopyListen() {
        return new Command(CommandType.POSTCOPY_LISTEN, new byte[0]);
    }

    public static Command postcopyRun() {
        return new Command(CommandType.POSTCOPY_RUN, new byte[0]);
    }

    public static Command postcopyResume() {
        return new Command(CommandType.POSTCOPY_RESUME, new byte[0]);
    }

    /**
     * PACKAGED announcing {@code length} bytes of package; they follow the command in the stream
     * (see {@link MigrationStreamWriter#packaged} and {@link MigrationStreamReader#readPackage}).
     */
    public static Command packaged(int length) {
        return new Command(CommandType.PACKAGED, ByteBuffer.allocate(4).putInt(length).array());
    }

    /** The be32 payload of PING or PACKAGED. */
    public int intValue() {
        return ByteBuffer.wrap(data).getInt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && c.type == type && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Command[" + type + ", " + data.length + " bytes]";
    }
}
