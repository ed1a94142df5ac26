package io.godwit.savevm;

import io.godwit.options.Capabilities;
import io.godwit.stream.StreamInput;

/** What a handler may use while loading on the destination. Used on the incoming thread only. */
public final class LoadContext {
    private final StreamInput in;
    private final Capabilities capabilities;
    private final SwitchoverApproval approval;
    private int sectionId = -1;
    private long sectionOffset = -1;
    private int sectionType = -1;

    public LoadContext(StreamInput in, Capabilities capabilities, SwitchoverApproval approval) {
        this.in = in;
        this.capabilities = capabilities;
        this.approval = approval;
    }

    public StreamInput in() {
        return in;
    }

    /** The id of the section being loaded (its footer repeats it). */
    public int sectionId() {
        return sectionId;
    }

    /** Byte offset of the header of the section being loaded, for refusals that concern it whole. */
    public long sectionOffset() {
        return sectionOffset;
    }

    /** The type of the section being loaded (StreamConstants.SECTION_START, _PART, _END, _FULL). */
    public int sectionType() {
        return sectionType;
    }

    void setSection(int id, long headerOffset, int type) {
        this.sectionId = id;
        this.sectionOffset = headerOffset;
        this.sectionType = type;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * Says this handler is ready for switchover (it has loaded its initial data). When every
     * handler that needs an ack has approved, the destination sends SWITCHOVER_ACK.
     */
    public void approveSwitchover() {
        approval.approve();
    }

    /** Counts approvals and sends the ack when the last one arrives. */
    @FunctionalInterface
    public interface SwitchoverApproval {
        void approve();
    }
}
