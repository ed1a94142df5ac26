package io.godwit.transport;

import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.concurrent.TimeUnit;

/**
 * A migration through a shell command (QEMU's exec:): the source writes the stream to the
 * command's standard input and reads any return path from its standard output; a destination
 * reads the stream from the command's standard output. The command's standard error is ours.
 */
final class ExecConnection implements Connection {
    private static final int BUFFER = 1 << 20;
    private static final long EXIT_WAIT_SECONDS = 60;

    private final Process process;
    private final String uri;
    private final String command;
    private final ByteSink out;
    private final ByteSource in;

    private ExecConnection(Process process, String uri, String command) {
        this.process = process;
        this.uri = uri;
        this.command = command;
        this.out = new ChannelSink(Channels.newChannel(process.getOutputStream()), BUFFER, uri);
        this.in = new ChannelSource(Channels.newChannel(process.getInputStream()), BUFFER, uri);
    }

    static ExecConnection start(String command, String uri) throws IOException {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new ExecConnection(p, uri, command);
        } catch (IOException e) {
            throw new IOException(uri + ": cannot start '" + command + "': " + Transports.reason(e), e);
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

    /** Closes the command's input and waits for it to exit; a failed command fails the migration. */
    @Override
    public void finish() throws IOException {
        out.close();
        try {
            if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(uri + ": '" + command + "' did not exit within " + EXIT_WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(uri + ": interrupted waiting for '" + command + "'", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(uri + ": '" + command + "' exited with status " + process.exitValue());
        }
    }

    @Override
    public void shutdown() {
        process.destroyForcibly();
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException ignored) {
            // the command may have gone already
        }
        in.close();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
