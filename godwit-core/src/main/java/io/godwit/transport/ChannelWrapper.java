package io.godwit.transport;

import java.io.IOException;

/**
 * What every migration channel goes through once it is connected or accepted, before a stream
 * runs on it: nothing, or a TLS session ({@link io.godwit.transport.tls.TlsChannels}). The main
 * channel, its return path, and any further channel of the same migration use the same wrapper.
 */
@FunctionalInterface
public interface ChannelWrapper {
    ChannelWrapper NONE = raw -> raw;

    /** Takes over {@code raw}: on failure it is closed and the reason thrown. */
    Connection wrap(Connection raw) throws IOException;
}
