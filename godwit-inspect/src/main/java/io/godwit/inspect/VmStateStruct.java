package io.godwit.inspect;

import java.util.List;

/**
 * What one vmstate_save_state wrote: its fields in order, then the subsections that were sent,
 * in order (the trailer lists only those).
 *
 * @param vmsdName null for an old-style device, which has no VMState description
 * @param version -1 when the trailer gives none
 */
public record VmStateStruct(String vmsdName, int version, List<VmStateField> fields,
        List<VmStateStruct> subsections) {

    public VmStateStruct {
        fields = List.copyOf(fields);
        subsections = List.copyOf(subsections);
    }
}
