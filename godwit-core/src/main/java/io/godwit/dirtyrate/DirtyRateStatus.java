package io.godwit.dirtyrate;

/** Where a dirty-rate measurement is (QEMU's DirtyRateStatus). */
public enum DirtyRateStatus {
    UNSTARTED("unstarted"),
    MEASURING("measuring"),
    MEASURED("measured");

    public final String qmpName;

    DirtyRateStatus(String qmpName) {
        this.qmpName = qmpName;
    }
}
