package io.godwit.device;

/**
 * One record of a VFIO-style device section as {@link DeviceRecordReader} read and verified it.
 * {@code at} is the offset of its marker; every record but DATA ends the section's payload.
 */
public sealed interface DeviceRecord {
    long at();

    default boolean last() {
        return true;
    }

    /** END_OF_STATE. */
    record End(long at) implements DeviceRecord {}

    /**
     * DATA: {@code size} bytes of the device's data stream follow the record, for the caller to
     * read or skip before it asks for the next record.
     */
    record Data(long at, long size) implements DeviceRecord {
        @Override
        public boolean last() {
            return false;
        }
    }

    /** SETUP, closed by END_OF_STATE. */
    record Setup(long at) implements DeviceRecord {}

    /** CONFIG with Godwit's description of the device, closed by END_OF_STATE. */
    record Config(long at, String description) implements DeviceRecord {}

    /** INIT_DATA_SENT: the source has sent the device's initial data (switchover-ack). */
    record InitDataSent(long at) implements DeviceRecord {}
}
