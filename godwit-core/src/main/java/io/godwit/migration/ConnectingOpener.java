package io.godwit.migration;

import io.godwit.transport.ConnectAttempt;
import io.godwit.transport.Connection;
import io.godwit.transport.Transports;
import java.io.IOException;

/** {@link Migration.Opener#connecting}: connects to a URI, and a cancel ends a connect under way. */
final class ConnectingOpener implements Migration.Opener {
    private final String uri;
    private final long timeoutMs;
    private final ConnectAttempt attempt = new ConnectAttempt();

    ConnectingOpener(String uri, long timeoutMs) {
        this.uri = uri;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Connection open() throws IOException {
        return Transports.connect(uri, timeoutMs, attempt);
    }

    @Override
    public void abandon() {
        attempt.cancel();
    }

    @Override
    public Connection openChannel() throws IOException {
        if (!uri.startsWith("tcp:") && !uri.startsWith("unix:")) {
            Migration.Opener.super.openChannel();
        }
        return Transports.connect(uri, timeoutMs, attempt);
    }
}
