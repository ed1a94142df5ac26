package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Saving a machine to a file, or restoring it from one: a one-way channel with no return path. */
final class FileConnection implements Connection {
    private static final int BUFFER = 1 << 20;

    private final FileChannel file;
    private final String uri;
    private final ByteSink out;
    private final ByteSource in;

    private FileConnection(FileChannel file, String uri, boolean writing) {
        this.file = file;
        this.uri = uri;
        this.out = writing ? new ChannelSink(file, BUFFER, uri) : new Refusing(uri + " is open for reading");
        this.in = writing ? new Empty() : new ChannelSource(file, BUFFER, uri);
    }

    static FileConnection forWriting(Path path, String uri) throws IOException {
        try {
            return new FileConnection(FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING), uri, true);
        } catch (IOException e) {
            throw new IOException(uri + ": cannot create " + path + ": " + Transports.reason(e), e);
        }
    }

    static FileConnection forReading(Path path, String uri) throws IOException {
        try {
            return new FileConnection(FileChannel.open(path, StandardOpenOption.READ), uri, false);
        } catch (IOException e) {
            throw new IOException(uri + ": cannot open " + path + ": " + Transports.reason(e), e);
        }
    }

    @Override
    public ByteSink output() {
        return out;
    }

    @Override
    public ByteSource input() {
        return in;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public boolean bidirectional() {
        return false;
    }

    @Override
    public void shutdown() {
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** The input of a connection that has none: ends at once. */
    record Empty() implements ByteSource {
        @Override
        public ByteBuffer next(ByteBuffer consumed) {
            return null;
        }

        @Override
        public void close() {
            // nothing was opened
        }
    }

    /** The output of a connection that has none. */
    record Refusing(String why) implements ByteSink {
        @Override
        public ByteBuffer swap(ByteBuffer filled) throws IOException {
            throw new IOException(why);
        }

        @Override
        public void close() {
            // nothing was opened
        }
    }
}
