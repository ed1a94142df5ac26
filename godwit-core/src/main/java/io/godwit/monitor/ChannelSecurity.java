package io.godwit.monitor;

import io.godwit.options.TlsParameters;
import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.tls.Authz;
import io.godwit.transport.tls.TlsChannels;
import io.godwit.transport.tls.TlsCreds;
import io.godwit.transport.tls.TlsEndpoint;
import io.godwit.transport.tls.TlsSettings;

/**
 * Turns the TLS parameters and the objects they name into the wrapper every channel of one
 * migration goes through (QEMU migration/tls.c: migration_tls_get_creds and friends).
 */
final class ChannelSecurity {
    private ChannelSecurity() {}

    /** The source's wrapper: nothing when tls-creds is empty, else a TLS client. */
    static ChannelWrapper outgoing(TlsParameters p, UserObjects objects) {
        if (!p.enabled()) {
            return ChannelWrapper.NONE;
        }
        TlsCreds creds = endpoint(objects.creds(p.creds()), TlsEndpoint.CLIENT);
        return TlsChannels.client(new TlsSettings(creds, p.hostname(), null));
    }

    /** The destination's wrapper: nothing when tls-creds is empty, else a TLS server with tls-authz. */
    static ChannelWrapper incoming(TlsParameters p, UserObjects objects) {
        if (!p.enabled()) {
            return ChannelWrapper.NONE;
        }
        TlsCreds creds = endpoint(objects.creds(p.creds()), TlsEndpoint.SERVER);
        Authz authz = p.authz().isEmpty() ? null : objects.authz(p.authz());
        return TlsChannels.server(new TlsSettings(creds, null, authz));
    }

    private static TlsCreds endpoint(TlsCreds c, TlsEndpoint e) {
        try {
            TlsChannels.requireEndpoint(c, e);
        } catch (IllegalArgumentException ex) {
            throw new MonitorException(ex.getMessage());
        }
        return c;
    }
}
