package io.godwit.device;

/**
 * What a device in PRE_COPY still has to send (the uAPI's struct vfio_precopy_info): its initial
 * data, which the destination needs before it can resume the device cheaply, and data that
 * changed since it was read.
 */
public record PrecopyInfo(long initialBytes, long dirtyBytes) {
    public long total() {
        return initialBytes + dirtyBytes;
    }
}
