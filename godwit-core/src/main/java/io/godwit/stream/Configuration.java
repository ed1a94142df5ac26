package io.godwit.stream;

import java.util.List;
import java.util.UUID;

/**
 * The CONFIGURATION section (savevm.c vmstate_configuration): the machine type, and the optional
 * subsections QEMU may add: target page bits, capabilities that must match, and the VM UUID.
 *
 * @param targetPageBits 0 when the subsection is absent
 * @param capabilities empty when the subsection is absent
 * @param uuid null when the subsection is absent
 */
public record Configuration(String machineType, int targetPageBits, List<String> capabilities, UUID uuid)
        implements StreamRecord {

    public static final String NAME = "configuration";
    public static final String SUB_TARGET_PAGE_BITS = "configuration/target-page-bits";
    public static final String SUB_CAPABILITIES = "configuration/capabilities";
    public static final String SUB_UUID = "configuration/uuid";

    public Configuration {
        capabilities = List.copyOf(capabilities);
    }

    public static Configuration of(String machineType) {
        return new Configuration(machineType, 0, List.of(), null);
    }
}
