package io.godwit.stream;

/**
 * The VMDESCRIPTION trailer after EOF: JSON describing the device sections, which QEMU's
 * scripts/analyze-migration.py uses to walk a stream.
 */
public record VmDescription(String json) implements StreamRecord {}
