package io.godwit.stattrib;

/** A page's usage state, as a guest declares it (after s390's CMMA states). */
public enum PageState {
    /** In use: content matters. */
    STABLE(0),
    /** Not in use: content does not matter; migration sends nothing for it and it reads as zero. */
    UNUSED(1),
    /** In use, but the guest could rebuild it if lost. */
    VOLATILE(2),
    /** Known zero. */
    ZERO(3);

    public final int value;

    PageState(int value) {
        this.value = value;
    }

    public static PageState of(int value) {
        for (PageState s : values()) {
            if (s.value == value) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown page state " + value + "; expected 0 to 3");
    }
}
