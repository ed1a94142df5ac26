package io.godwit.inspect;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The VMDESCRIPTION trailer of a migration stream, as QEMU (savevm.c, vmstate.c) and Godwit
 * write it: {@code {"page_size": N, "devices": [{"name", "instance_id", "vmsd_name", "version",
 * "fields": [...], "subsections": [...]}]}}. It describes every FULL section the source sent, so
 * a reader can walk those sections field by field although they carry no length.
 *
 * <p>To check a captured FULL section against a trailer:
 * <pre>{@code
 * VmStateDescription desc = VmStateDescription.parse(trailerJson);
 * DeviceDescription dev = desc.device("cpu", 0);      // null if the trailer does not describe it
 * int used = dev.walk(payload);                       // bytes between the section header and footer
 * if (used != payload.length) { ... }                 // bytes the description does not account for
 * }</pre>
 * {@link DeviceDescription#walk(byte[])} throws a {@link VmStateException} naming the field path
 * and the offset in the payload when the payload is shorter than described or a described
 * subsection is not where it must be.
 */
public final class VmStateDescription {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long pageSize;
    private final List<DeviceDescription> devices;

    VmStateDescription(long pageSize, List<DeviceDescription> devices) {
        this.pageSize = pageSize;
        this.devices = List.copyOf(devices);
    }

    /** Parses a trailer's JSON; errors give offsets within {@code json}. */
    public static VmStateDescription parse(String json) throws VmStateException {
        return parse(json.getBytes(StandardCharsets.UTF_8), 0);
    }

    /** Parses a trailer's JSON that starts at byte offset {@code at} of a stream. */
    static VmStateDescription parse(byte[] json, long at) throws VmStateException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            long off = loc == null || loc.getByteOffset() < 0 ? 0 : loc.getByteOffset();
            throw new VmStateException("trailer", "invalid JSON: " + e.getOriginalMessage(), at + off);
        } catch (IOException e) {
            throw new VmStateException("trailer", "unreadable JSON: " + e.getMessage(), at);
        }
        if (root == null || root.isMissingNode()) {
            throw new VmStateException("trailer", "empty JSON", at);
        }
        return new VmStateParser(at).description(root);
    }

    /** The target page size the source used, or -1 when the trailer does not say. */
    public long pageSize() {
        return pageSize;
    }

    /** Every described device, in the order the source saved them. */
    public List<DeviceDescription> devices() {
        return devices;
    }

    /** The device whose FULL section has this idstr and instance id, or null. */
    public DeviceDescription device(String name, int instanceId) {
        for (DeviceDescription d : devices) {
            if (d.name().equals(name) && d.instanceId() == instanceId) {
                return d;
            }
        }
        return null;
    }
}
