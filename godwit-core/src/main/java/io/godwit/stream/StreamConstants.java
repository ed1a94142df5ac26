package io.godwit.stream;

/**
 * Every constant of QEMU's migration stream, version 3, in one place: the file header, section
 * types, commands, return-path messages, the RAM encoding flags and the device-data markers.
 * Values follow QEMU (migration/savevm.c, migration/migration.h, migration/ram.c,
 * hw/vfio/migration.c); the reader and writer use nothing else.
 */
public final class StreamConstants {
    private StreamConstants() {}

    // File header (savevm.c)
    public static final int FILE_MAGIC = 0x5145564d; // "QEVM"
    public static final int FILE_VERSION_COMPAT = 0x00000002;
    public static final int FILE_VERSION = 0x00000003;

    // Section types (savevm.c QEMU_VM_*)
    public static final int EOF = 0x00;
    public static final int SECTION_START = 0x01;
    public static final int SECTION_PART = 0x02;
    public static final int SECTION_END = 0x03;
    public static final int SECTION_FULL = 0x04;
    public static final int SUBSECTION = 0x05;
    public static final int VMDESCRIPTION = 0x06;
    public static final int CONFIGURATION = 0x07;
    public static final int COMMAND = 0x08;
    public static final int SECTION_FOOTER = 0x7e;

    /** An idstr is sent as a u8 length and the bytes, so it is at most 255 bytes long. */
    public static final int MAX_IDSTR_LENGTH = 255;

    // Commands (savevm.c enum qemu_vm_cmd); payload length in bytes, or -1 when variable
    public static final int CMD_OPEN_RETURN_PATH = 1;
    public static final int CMD_PING = 2;
    public static final int CMD_POSTCOPY_ADVISE = 3;
    public static final int CMD_POSTCOPY_LISTEN = 4;
    public static final int CMD_POSTCOPY_RUN = 5;
    public static final int CMD_POSTCOPY_RAM_DISCARD = 6;
    public static final int CMD_PACKAGED = 7;
    public static final int CMD_ENABLE_COLO = 8;
    public static final int CMD_POSTCOPY_RESUME = 9;
    public static final int CMD_RECV_BITMAP = 10;
    public static final int CMD_SWITCHOVER_START = 11;

    // Post-copy (savevm.c, migration.c, ram.c)
    /** The version byte that opens every POSTCOPY_RAM_DISCARD payload. */
    public static final int POSTCOPY_RAM_DISCARD_VERSION = 0;
    /** Ranges per POSTCOPY_RAM_DISCARD command, as QEMU batches them (MAX_DISCARDS_PER_COMMAND). */
    public static final int MAX_DISCARDS_PER_COMMAND = 12;
    /** The largest package a PACKAGED command may announce (MAX_VM_CMD_PACKAGED_SIZE, 16 MiB). */
    public static final int MAX_PACKAGED_SIZE = 1 << 24;
    /** PING values around the switch to post-copy; the destination answers each with a PONG. */
    public static final int PING_AFTER_DISCARD = 2;
    public static final int PING_IN_PACKAGE = 3;
    public static final int PING_AFTER_PACKAGE = 4;
    /** The PING just before POSTCOPY_RUN in the package: its PONG says the device state loaded. */
    public static final int PING_PACKAGED_LOADED = 0x42;
    /** Closes the received bitmap a destination sends back for RECV_BITMAP (RAMBLOCK_RECV_BITMAP_ENDING). */
    public static final long RECV_BITMAP_ENDING = 0x0123456789abcdefL;
    /** The value RESUME_ACK carries (MIGRATION_RESUME_ACK_VALUE). */
    public static final int RESUME_ACK_VALUE = 1;

    // Return-path messages (migration.c enum mig_rp_message_type)
    public static final int RP_SHUT = 1;
    public static final int RP_PONG = 2;
    public static final int RP_REQ_PAGES_ID = 3;
    public static final int RP_REQ_PAGES = 4;
    public static final int RP_RECV_BITMAP = 5;
    public static final int RP_RESUME_ACK = 6;
    public static final int RP_SWITCHOVER_ACK = 7;

    // RAM section, idstr "ram", version 4 (ram.c RAM_SAVE_FLAG_*): flags share the be64 with the
    // page offset, below the target page size.
    public static final String RAM_IDSTR = "ram";
    public static final int RAM_VERSION = 4;
    public static final int TARGET_PAGE_SIZE = 4096;
    public static final long RAM_FLAG_FULL = 0x01; // obsolete, refused
    public static final long RAM_FLAG_ZERO = 0x02;
    public static final long RAM_FLAG_MEM_SIZE = 0x04;
    public static final long RAM_FLAG_PAGE = 0x08;
    public static final long RAM_FLAG_EOS = 0x10;
    public static final long RAM_FLAG_CONTINUE = 0x20;
    public static final long RAM_FLAG_XBZRLE = 0x40;
    /** The u8 after an XBZRLE record's word and block (QEMU's ENCODING_FLAG_XBZRLE). */
    public static final int XBZRLE_ENCODING = 0x01;
    public static final long RAM_FLAG_HOOK = 0x80;
    public static final long RAM_FLAG_COMPRESS_PAGE = 0x100;
    public static final long RAM_FLAG_MULTIFD_FLUSH = 0x200;

    // Device data markers (hw/vfio/migration.c VFIO_MIG_FLAG_*)
    public static final long DEV_END_OF_STATE = 0xffffffffef100001L;
    public static final long DEV_CONFIG_STATE = 0xffffffffef100002L;
    public static final long DEV_SETUP_STATE = 0xffffffffef100003L;
    public static final long DEV_DATA_STATE = 0xffffffffef100004L;
    public static final long DEV_INIT_DATA_SENT = 0xffffffffef100005L;

    /**
     * Whether a name read from a stream (an idstr, a RAM block's name) reads back as it was sent:
     * 1 to 255 bytes of valid UTF-8. A name with invalid bytes decodes with U+FFFD, which would
     * be sent on differently and may not fit 255 bytes any more: something to keep must not be.
     */
    public static boolean isKeepableName(String name) {
        return !name.isEmpty() && name.indexOf('\ufffd') < 0
                && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_IDSTR_LENGTH;
    }

    /** A readable name for a section type byte, for error messages. */
    public static String sectionTypeName(int type) {
        return switch (type) {
            case EOF -> "EOF";
            case SECTION_START -> "SECTION_START";
            case SECTION_PART -> "SECTION_PART";
            case SECTION_END -> "SECTION_END";
            case SECTION_FULL -> "SECTION_FULL";
            case SUBSECTION -> "SUBSECTION";
            case VMDESCRIPTION -> "VMDESCRIPTION";
            case CONFIGURATION -> "CONFIGURATION";
            case COMMAND -> "COMMAND";
            case SECTION_FOOTER -> "SECTION_FOOTER";
            default -> String.format("unknown(0x%02x)", type);
        };
    }
}
