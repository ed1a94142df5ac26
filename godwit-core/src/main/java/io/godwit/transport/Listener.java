package io.godwit.transport;

import java.io.Closeable;
import java.io.IOException;

/** Where a destination waits for an incoming migration. */
public interface Listener extends Closeable {
    /** Waits for the source and returns the connection. */
    Connection accept() throws IOException;

    /** The address actually listened on (a tcp port 0 becomes the chosen port). */
    String address();
}
