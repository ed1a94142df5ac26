package io.godwit.inspect;

/**
 * A small stream laid out as QEMU 7.2 writes one: header, configuration, a "ram" section over
 * START, PART and END, FULL device sections described by a trailer (structs, compressed and
 * indexed arrays, a "tmp" field, a vstruct, nested subsections, an old-style device, two
 * instances of one device), EOF and the trailer. Records the offsets tests need.
 */
final class QemuLikeStream {
    static final long RAM = 16 * 4096;

    /** The cpu device: every kind of field the walker knows. */
    static final String CPU = """
            {"name": "cpu", "instance_id": 0, "vmsd_name": "cpu", "version": 12, "fields": [
              {"name": "env.regs", "array_len": 4, "type": "uint64", "size": 8},
              {"name": "env.eip", "type": "uint64", "size": 8},
              {"name": "env.segs", "array_len": 2, "type": "struct", "struct": {"vmsd_name": "segment", "version": 1,
                "fields": [{"name": "selector", "type": "uint32", "size": 4}, {"name": "base", "type": "uint64", "size": 8}]},
                "size": 12},
              {"name": "env.fpregs", "array_len": 2, "type": "struct", "struct": {"vmsd_name": "fpreg", "version": 0,
                "fields": [{"name": "tmp", "type": "tmp", "vmsd_name": "fpreg_tmp", "version": 0, "fields": [
                  {"name": "tmp_mant", "type": "uint64", "size": 8}, {"name": "tmp_exp", "type": "uint16", "size": 2}],
                  "size": 10}]}, "size": 10},
              {"name": "env.mtrr", "index": 0, "type": "struct", "struct": {"vmsd_name": "mtrr", "version": 1,
                "fields": [{"name": "base", "type": "uint64", "size": 8}],
                "subsections": [{"vmsd_name": "mtrr/mask", "version": 2,
                  "fields": [{"name": "mask", "type": "uint32", "size": 4}]}]}, "size": 27},
              {"name": "env.mtrr", "index": 1, "type": "struct", "struct": {"vmsd_name": "mtrr", "version": 1,
                "fields": [{"name": "base", "type": "uint64", "size": 8}]}, "size": 8},
              {"name": "unused", "type": "unused_buffer", "size": 3},
              {"name": "halted", "type": "bool", "size": 1},
              {"name": "inner", "type": "vstruct", "vmsd_name": "inner", "version": 3,
                "fields": [{"name": "x", "type": "int32 le", "size": 4}], "size": 4}],
             "subsections": [
              {"vmsd_name": "cpu/async_pf_msr", "version": 1,
                "fields": [{"name": "env.async_pf_en_msr", "type": "uint64", "size": 8}],
                "subsections": [{"vmsd_name": "cpu/async_pf_msr/nested", "version": 1,
                  "fields": [{"name": "flag", "type": "uint8", "size": 1}]}]},
              {"vmsd_name": "cpu/pkru", "version": 1, "fields": [{"name": "env.pkru", "type": "uint32", "size": 4}]}]}
            """;
    /** Fields of the cpu that are not structs: what the walker counts. */
    static final long CPU_LEAVES = 4 + 1 + 2 * 2 + 2 + 2 + 1 + 1 + 1 + 1 + 2 + 1;

    static String trailer(String cpu) {
        return "{\"page_size\": 4096, \"devices\": [" + cpu + ", "
                + "{\"name\": \"slirp\", \"instance_id\": 0, \"size\": 10, \"fields\": ["
                + "{\"name\": \"data\", \"size\": 10, \"type\": \"buffer\"}]}, "
                + "{\"name\": \"dma\", \"instance_id\": 0, \"vmsd_name\": \"dma\", \"version\": 1, \"fields\": ["
                + "{\"name\": \"regs\", \"array_len\": 3, \"type\": \"uint8\", \"size\": 1}]}, "
                + "{\"name\": \"dma\", \"instance_id\": 1, \"vmsd_name\": \"dma\", \"version\": 1, \"fields\": ["
                + "{\"name\": \"regs\", \"array_len\": 5, \"type\": \"uint8\", \"size\": 1}]}]}";
    }

    /** The cpu's payload, exactly as its description says it was written. */
    static byte[] cpuPayload() {
        StreamBuilder b = new StreamBuilder();
        for (int i = 0; i < 4; i++) {
            b.be64(0x1000 + i);
        }
        b.be64(0xfff0);
        b.be32(0x10).be64(0x20000).be32(0x18).be64(0);
        b.be64(1).be16(2).be64(3).be16(4);
        b.be64(0xc0000).subsection("mtrr/mask", 2).be32(0xfff);
        b.be64(0xd0000);
        b.zeros(3).u8(1).be32(Integer.reverseBytes(7));
        b.subsection("cpu/async_pf_msr", 1).be64(0x55).subsection("cpu/async_pf_msr/nested", 1).u8(1);
        b.subsection("cpu/pkru", 1).be32(0x5555);
        return b.bytes();
    }

    final StreamBuilder b = new StreamBuilder();
    long cpuSection;
    long cpuPayloadAt;
    long eofAt;
    long trailerAt;

    QemuLikeStream() {
        this(CPU, cpuPayload());
    }

    QemuLikeStream(String cpuDescription, byte[] cpuPayload) {
        b.header().config("pc-i440fx-7.2");
        b.start(2, "ram", 0, 4).ramBlocks("pc.ram", RAM, "/rom@etc/acpi/tables", 2 * 4096L).ramEos().footer(2);
        b.part(2).ramPage("pc.ram", 0, StreamBuilder.page(0x11)).ramPage(null, 4096, StreamBuilder.page(0x22))
                .ramZero(null, 2 * 4096).ramPage("/rom@etc/acpi/tables", 4096, StreamBuilder.page(0x33)).ramEos()
                .footer(2);
        b.end(2).ramPage("pc.ram", 4096, StreamBuilder.page(0x44)).ramZero(null, 0).ramEos().footer(2);
        cpuSection = b.offset();
        b.full(5, "cpu", 0, 12);
        cpuPayloadAt = b.offset();
        b.raw(cpuPayload).footer(5);
        b.full(6, "slirp", 0, 4).raw(new byte[10]).footer(6);
        b.full(7, "dma", 0, 1).raw(new byte[] {1, 2, 3}).footer(7);
        b.full(8, "dma", 1, 1).raw(new byte[] {1, 2, 3, 4, 5}).footer(8);
        eofAt = b.offset();
        b.eof();
        trailerAt = b.offset();
        b.trailer(trailer(cpuDescription));
    }
}
