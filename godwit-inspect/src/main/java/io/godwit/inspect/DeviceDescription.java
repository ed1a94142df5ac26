package io.godwit.inspect;

import io.godwit.stream.ByteSource;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How one device's FULL section was written, from the trailer: its name and instance id (the
 * section's idstr and instance), the VMState name and version, and the fields and subsections
 * in stream order. An old-style device (no VMState description) is one "buffer" field.
 */
public final class DeviceDescription {
    private final String name;
    private final int instanceId;
    private final VmStateStruct body;
    private final String json;

    DeviceDescription(String name, int instanceId, VmStateStruct body, String json) {
        this.name = name;
        this.instanceId = instanceId;
        this.body = body;
        this.json = json;
    }

    /** This device's entry of the trailer as JSON text, to pass on in another trailer unchanged. */
    public String json() {
        return json;
    }

    public String name() {
        return name;
    }

    public int instanceId() {
        return instanceId;
    }

    /** The VMState name, or null for an old-style device. */
    public String vmsdName() {
        return body.vmsdName();
    }

    /** The VMState version, or -1 when the trailer gives none. */
    public int version() {
        return body.version();
    }

    public VmStateStruct body() {
        return body;
    }

    /**
     * Walks a section payload (the bytes between the FULL section header and its footer) as this
     * description says it was written, and returns how many bytes the description consumed. A
     * payload longer than that is not an error here: compare the result with its length.
     *
     * @throws VmStateException if the payload ends before the description does, or does not hold
     *     a described subsection; names the field path and the offset within the payload
     */
    public int walk(byte[] payload) throws VmStateException {
        try (StreamInput in = new StreamInput(new ArraySource(payload))) {
            return (int) new VmStateWalker(in).walk(name, body);
        } catch (VmStateException e) {
            throw e;
        } catch (IOException e) {
            throw new VmStateException(name, e.getMessage(), e instanceof StreamFormatException f ? f.offset() : 0);
        }
    }

    @Override
    public String toString() {
        return name + " (instance " + instanceId + ", " + vmsdName() + " v" + version() + ")";
    }

    /** A whole payload as one buffer. */
    private record ArraySource(byte[] bytes) implements ByteSource {
        @Override
        public ByteBuffer next(ByteBuffer consumed) {
            return consumed == null && bytes.length > 0 ? ByteBuffer.wrap(bytes) : null;
        }

        @Override
        public void close() {
            // nothing to release
        }
    }
}
