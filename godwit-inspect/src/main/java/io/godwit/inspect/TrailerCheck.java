package io.godwit.inspect;

import io.godwit.savevm.RawSection;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Confirms, once a foreign stream has loaded, that each device section kept raw ends where the
 * source's VMDESCRIPTION trailer says it does: the split at a footer is a guess until the trailer's
 * description of that device walks its bytes exactly. Each confirmed section keeps its trailer entry,
 * so a relayed stream describes it the same way.
 *
 * <p>Anything that relays QEMU streams through a blank {@link io.godwit.machine.Machine} (one that
 * takes the source's RAM blocks and device sections as they come) installs it before the incoming
 * migration starts; {@code godwit run} does the same:
 * <pre>{@code
 * Machine machine = new Machine("relay");
 * machine.setRawSectionCheck(TrailerCheck.forRelay());
 * // then an IncomingMigration into the machine, and a Migration on to the next QEMU
 * }</pre>
 * A section the trailer does not describe, whose header's version is not the trailer's, or that
 * does not walk to exactly its length, fails the load
 * with an {@link IOException} naming the section and the field or the sizes; the machine then
 * stays stopped. Without a trailer the sections stay as split, and the check says so as a warning.
 */
public final class TrailerCheck implements RawSection.Check {
    private static final System.Logger LOG = System.getLogger(TrailerCheck.class.getName());

    private final Consumer<String> warn;

    private TrailerCheck(Consumer<String> warn) {
        this.warn = warn;
    }

    /** The check, with its warning (no trailer, sections unconfirmed) logged at WARNING. */
    public static RawSection.Check forRelay() {
        return forRelay(w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /** The check, telling {@code warn} when there is no trailer and the sections stay unconfirmed. */
    public static RawSection.Check forRelay(Consumer<String> warn) {
        return new TrailerCheck(warn);
    }

    @Override
    public void check(String vmDescription, List<RawSection> sections) throws IOException {
        if (vmDescription == null) {
            warn.accept("the source sent no VMDESCRIPTION trailer: " + sections.size()
                    + " device sections are kept as split at their footers, unconfirmed");
            return;
        }
        VmStateDescription desc;
        try {
            desc = VmStateDescription.parse(vmDescription);
        } catch (VmStateException e) {
            throw refused("the source's trailer is unusable: " + e.getMessage());
        }
        for (RawSection s : sections) {
            DeviceDescription d = desc.device(s.idstr(), s.instanceId());
            String which = "device section '" + s.idstr() + "' instance " + s.instanceId();
            if (d == null) {
                throw refused(which + " is not described by the source's trailer");
            }
            if (d.version() >= 0 && d.version() != s.versionId()) { // QEMU loads by the header's version
                throw refused(String.format("%s has version %d in its header but the source's trailer describes "
                        + "version %d", which, s.versionId(), d.version()));
            }
            byte[] payload = s.state();
            int used;
            try {
                used = d.walk(payload);
            } catch (VmStateException e) {
                throw refused(which + " does not match the source's trailer: " + e.getMessage());
            }
            if (used != payload.length) {
                throw refused(String.format("%s holds %d bytes but the source's trailer describes %d",
                        which, payload.length, used));
            }
            s.setDescription(d.json());
        }
    }

    private static IOException refused(String message) {
        return new IOException(message);
    }
}
