package io.godwit.bench.loopback;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One end of the control connection between the bench and a peer: lines of ASCII, a word then
 * {@code key=value} pairs ({@code prepare bytes=1048576}). What arrives is untrusted: a line is at
 * most {@link #MAX_LINE} bytes, and every number is read through {@link Message#number} with its
 * range.
 */
final class LoopbackControl implements AutoCloseable {
    static final int MAX_LINE = 200;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String peer;

    LoopbackControl(Socket socket, String peer) throws IOException {
        this.socket = socket;
        this.peer = peer;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A message: its word and its pairs. */
    record Message(String peer, String word, Map<String, String> pairs) {
        /** The value of {@code key} as a number in [min, max], or an IOException naming what was expected. */
        long number(String key, long min, long max) throws IOException {
            String v = pairs.get(key);
            if (v == null) {
                throw new IOException(peer + " sent '" + word + "' without " + key);
            }
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IOException(peer + " sent " + key + "=" + v + ", expected a number");
            }
            if (n < min || n > max) {
                throw new IOException(peer + " sent " + key + "=" + n + ", expected " + min + " to " + max);
            }
            return n;
        }
    }

    void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The next message; EOF before a full line is an IOException. */
    Message receive() throws IOException {
        byte[] buf = new byte[MAX_LINE];
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(peer + " closed the control connection" + (n > 0 ? " mid-line" : ""));
            }
            if (b == '\n') {
                break;
            }
            if (n == MAX_LINE || b < 0x20 || b > 0x7e) {
                throw new IOException(peer + " sent a control line " + (n == MAX_LINE ? "over " + MAX_LINE
                        + " bytes" : "with byte 0x" + Integer.toHexString(b) + " at " + n));
            }
            buf[n++] = (byte) b;
        }
        return parse(new String(buf, 0, n, StandardCharsets.US_ASCII));
    }

    /** The next message, which must be {@code word}. */
    Message expect(String word) throws IOException {
        Message m = receive();
        if (!m.word().equals(word)) {
            throw new IOException(peer + " sent '" + m.word() + "' where '" + word + "' was expected");
        }
        return m;
    }

    private Message parse(String line) throws IOException {
        String[] tokens = line.trim().split(" +");
        if (tokens[0].isEmpty()) {
            throw new IOException(peer + " sent an empty control line");
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq <= 0) {
                throw new IOException(peer + " sent '" + tokens[i] + "' in '" + tokens[0] + "', expected key=value");
            }
            pairs.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
        }
        return new Message(peer, tokens[0], pairs);
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
