package io.godwit.machine;

import io.godwit.ram.RamBlock;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.savevm.RawSection;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.savevm.StateLoader;
import io.godwit.stream.SectionHeader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a blank machine takes from an incoming migration: the source's machine type, its RAM
 * blocks as the source names and sizes them (up to the machine's incoming RAM limit), and the device sections it cannot interpret, kept
 * raw. So a machine started with nothing but {@code --incoming} can receive a QEMU guest, hold
 * its memory in its own blocks, and migrate the whole guest on to a QEMU destination.
 *
 * <p>The stream decides what is mapped and kept, so everything is bounded: the RAM by the
 * machine's {@link Machine#maxRam() limit}, the number of blocks and of device sections, and the
 * bytes of device state. A failed load gives all of it back ({@link #abandon}), and the machine is
 * blank again for the next attempt. Used by the incoming thread only.
 */
public final class ForeignState {
    /** The most RAM blocks a destination adopts (a QEMU pc guest has about ten). */
    public static final int MAX_RAM_BLOCKS = 1024;
    /** The most device sections kept raw (a QEMU guest has one to a few per device and vCPU). */
    public static final int MAX_RAW_SECTIONS = 4096;
    /** The most device state kept raw, all sections together. */
    public static final long MAX_RAW_BYTES = 256L << 20;

    private final Machine machine;
    private final long ramLimit;
    private final List<RamBlock> adoptedRam = new ArrayList<>();
    private final List<SaveStateEntry> adoptedSections = new ArrayList<>();
    private long rawBytes; // device state kept by the sections adopted before the last one

    private ForeignState(Machine machine) {
        this.machine = machine;
        this.ramLimit = machine.maxRam();
    }

    /** Readies {@code loader} to adopt what {@code machine} lacks, or returns null if it is not blank. */
    public static ForeignState prepare(Machine machine, StateLoader loader) {
        if (!machine.isBlank()) {
            return null;
        }
        ForeignState f = new ForeignState(machine);
        machine.ramHandler().setBlockAdopter(f::adoptRam);
        loader.adoptUnknownSections(f::adopt);
        return f;
    }

    /** A block of the source's MEM_SIZE record; refused (IllegalArgumentException) past a bound. */
    private RamBlock adoptRam(String name, long length) {
        if (adoptedRam.size() >= MAX_RAM_BLOCKS) {
            throw new IllegalArgumentException("more than " + MAX_RAM_BLOCKS + " RAM blocks on the source; a "
                    + "destination takes at most " + MAX_RAM_BLOCKS);
        }
        checkPrintable("RAM block name", name);
        if (length <= 0 || length % RamBlock.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("RAM block '" + name + "' of " + length + " bytes; expected a positive "
                    + "multiple of " + RamBlock.PAGE_SIZE);
        }
        long mapped = machine.ramSize();
        if (length > ramLimit - mapped) {
            throw new IllegalArgumentException("RAM block '" + name + "' of " + length + " bytes would bring this "
                    + "machine's RAM to " + Long.toUnsignedString(mapped + length) + " bytes, over its limit of "
                    + ramLimit + " bytes (godwit run --max-ram)");
        }
        RamBlock b = machine.addRam(name, length);
        adoptedRam.add(b);
        return b;
    }

    private SaveStateEntry adopt(SectionHeader h) {
        if (adoptedSections.size() >= MAX_RAW_SECTIONS) {
            throw new IllegalArgumentException("more than " + MAX_RAW_SECTIONS + " device sections on the source; a "
                    + "destination keeps at most " + MAX_RAW_SECTIONS);
        }
        checkPrintable("device section idstr", h.idstr());
        if (!adoptedSections.isEmpty()) { // the one adopted before this has loaded by now
            rawBytes += ((RawSection) adoptedSections.getLast().handler()).size();
        }
        if (rawBytes > MAX_RAW_BYTES) {
            throw new IllegalArgumentException("device state of the source passes " + MAX_RAW_BYTES + " bytes before "
                    + "section '" + h.idstr() + "'; a destination keeps at most that much");
        }
        SaveStateEntry e = machine.registry().register(h.idstr(), h.instanceId(), h.versionId(),
                HandlerRegistry.PRIORITY_DEFAULT, new RawSection(h.idstr(), h.instanceId(), h.versionId()));
        adoptedSections.add(e);
        return e;
    }

    /** Names end up in messages and on the next wire: printable ASCII only. */
    private static void checkPrintable(String what, String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty; expected 1 to 255 printable characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(String.format("%s has the character 0x%02x at %d; expected "
                        + "printable ASCII", what, (int) c, i));
            }
        }
    }

    /**
     * After a complete load: takes the source's machine type (so the next destination sees the
     * type it expects) and checks the raw sections against the source's trailer.
     */
    public void finish(StateLoader.Result result) throws IOException {
        machine.ramHandler().setBlockAdopter(null);
        if (result.configuration() != null) {
            machine.setMachineType(result.configuration().machineType());
        }
        RawSection.Check check = machine.rawSectionCheck();
        List<RawSection> raw = rawSections(machine);
        if (check != null && !raw.isEmpty()) {
            check.check(result.vmDescription(), raw);
        }
    }

    /**
     * After a failed load: drops the adopted RAM blocks and raw sections and the source's machine
     * type, so the machine is blank again and takes the next stream, from any source.
     */
    public void abandon() {
        machine.ramHandler().setBlockAdopter(null);
        for (SaveStateEntry e : adoptedSections) {
            machine.registry().unregister(e);
        }
        adoptedSections.clear();
        rawBytes = 0;
        for (RamBlock b : adoptedRam) {
            machine.removeRam(b);
        }
        adoptedRam.clear();
        machine.setMachineType(Machine.MACHINE_TYPE);
    }

    /** The device sections {@code machine} holds as received, in stream order. */
    public static List<RawSection> rawSections(Machine machine) {
        List<RawSection> out = new ArrayList<>();
        for (SaveStateEntry e : machine.registry().entries()) {
            if (e.handler() instanceof RawSection r) {
                out.add(r);
            }
        }
        return out;
    }
}
