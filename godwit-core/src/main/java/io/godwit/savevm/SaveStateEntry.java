package io.godwit.savevm;

/**
 * A registered handler (QEMU's SaveStateEntry).
 *
 * @param sectionId the id the source uses for this handler's sections
 * @param priority higher priorities save first
 */
public record SaveStateEntry(String idstr, int instanceId, int versionId, int priority, int sectionId,
        SaveVmHandler handler) {

    @Override
    public String toString() {
        return idstr + "/" + instanceId + " v" + versionId + " (section " + sectionId + ")";
    }
}
