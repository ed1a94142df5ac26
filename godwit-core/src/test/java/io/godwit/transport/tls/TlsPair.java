package io.godwit.transport.tls;

import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.Listener;
import io.godwit.transport.Transports;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A TLS client and server joined over a real loopback tcp connection. */
record TlsPair(Connection client, Connection server) implements AutoCloseable {
    /** Both handshakes; throws the client's failure, or the server's when only it failed. */
    static TlsPair open(ChannelWrapper clientSide, ChannelWrapper serverSide) throws Exception {
        Outcome o = attempt(clientSide, serverSide);
        if (o.clientError != null) {
            throw o.clientError;
        }
        if (o.serverError != null) {
            throw o.serverError;
        }
        return new TlsPair(o.client, o.server);
    }

    /** What each side got: a connection or the reason it failed. */
    record Outcome(Connection client, Exception clientError, Connection server, Exception serverError) {}

    static Outcome attempt(ChannelWrapper clientSide, ChannelWrapper serverSide) throws Exception {
        try (Listener l = Transports.listen("tcp:127.0.0.1:0", () -> 0, notice -> {}, true)) {
            CompletableFuture<Connection> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return serverSide.wrap(l.accept());
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Connection client = null;
            Exception clientError = null;
            try {
                client = clientSide.wrap(Transports.connect(l.address()));
            } catch (IOException e) {
                clientError = e;
            }
            Connection server = null;
            Exception serverError = null;
            try {
                server = accepted.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                serverError = (Exception) e.getCause();
            }
            return new Outcome(client, clientError, server, serverError);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}
