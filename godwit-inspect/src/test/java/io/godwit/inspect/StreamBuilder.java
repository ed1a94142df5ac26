package io.godwit.inspect;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes migration streams byte by byte, as QEMU lays them out, independently of Godwit's own
 * writer; {@link #offset()} tells where the next byte goes, so tests can name expected offsets.
 */
final class StreamBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    long offset() {
        return bytes.size();
    }

    StreamBuilder u8(int v) {
        return io(() -> out.writeByte(v));
    }

    StreamBuilder be16(int v) {
        return io(() -> out.writeShort(v));
    }

    StreamBuilder be32(int v) {
        return io(() -> out.writeInt(v));
    }

    StreamBuilder be64(long v) {
        return io(() -> out.writeLong(v));
    }

    StreamBuilder raw(byte[] b) {
        return io(() -> out.write(b));
    }

    StreamBuilder zeros(int n) {
        return raw(new byte[n]);
    }

    StreamBuilder str8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u8(b.length).raw(b);
    }

    StreamBuilder header() {
        return be32(0x5145564d).be32(3);
    }

    StreamBuilder config(String machine) {
        byte[] b = machine.getBytes(StandardCharsets.UTF_8);
        return u8(0x07).be32(b.length).raw(b);
    }

    StreamBuilder start(int id, String idstr, int instance, int version) {
        return u8(0x01).be32(id).str8(idstr).be32(instance).be32(version);
    }

    StreamBuilder full(int id, String idstr, int instance, int version) {
        return u8(0x04).be32(id).str8(idstr).be32(instance).be32(version);
    }

    StreamBuilder part(int id) {
        return u8(0x02).be32(id);
    }

    StreamBuilder end(int id) {
        return u8(0x03).be32(id);
    }

    StreamBuilder footer(int id) {
        return u8(0x7e).be32(id);
    }

    StreamBuilder subsection(String name, int version) {
        return u8(0x05).str8(name).be32(version);
    }

    StreamBuilder command(int cmd, byte[] data) {
        return u8(0x08).be16(cmd).be16(data.length).raw(data);
    }

    StreamBuilder eof() {
        return u8(0x00);
    }

    StreamBuilder trailer(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return u8(0x06).be32(b.length).raw(b);
    }

    // RAM records (ram.c): be64 offset | flags, the block name unless CONTINUE, then the data
    StreamBuilder ramBlocks(Object... nameThenLength) {
        long total = 0;
        for (int i = 1; i < nameThenLength.length; i += 2) {
            total += (Long) nameThenLength[i];
        }
        be64(total | 0x04);
        for (int i = 0; i < nameThenLength.length; i += 2) {
            str8((String) nameThenLength[i]).be64((Long) nameThenLength[i + 1]);
        }
        return this;
    }

    /** block null: CONTINUE. */
    StreamBuilder ramPage(String block, long addr, byte[] page) {
        return ramHeader(block, addr, 0x08).raw(page);
    }

    StreamBuilder ramZero(String block, long addr) {
        return ramHeader(block, addr, 0x02).u8(0);
    }

    StreamBuilder ramHeader(String block, long addr, long flags) {
        if (block == null) {
            return be64(addr | flags | 0x20);
        }
        return be64(addr | flags).str8(block);
    }

    StreamBuilder ramEos() {
        return be64(0x10);
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    Path write(Path file) throws IOException {
        return Files.write(file, bytes());
    }

    private interface Io {
        void run() throws IOException;
    }

    private StreamBuilder io(Io op) {
        try {
            op.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    static byte[] page(int fill) {
        byte[] p = new byte[4096];
        java.util.Arrays.fill(p, (byte) fill);
        return p;
    }
}
