package io.godwit.machine;

import io.godwit.ram.RamBlock;
import io.godwit.ram.RamHandler;
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
 */
public final class ForeignState {
    private final Machine machine;

    private ForeignState(Machine machine) {
        this.machine = machine;
    }

    /** Readies {@code loader} to adopt what {@code machine} lacks, or returns null if it is not blank. */
    public static ForeignState prepare(Machine machine, StateLoader loader) {
        if (!machine.isBlank()) {
            return null;
        }
        ForeignState f = new ForeignState(machine);
        machine.ramHandler().setBlockAdopter(new RamHandler.BlockAdopter() {
            @Override
            public RamBlock adopt(String name, long length) {
                return machine.addRam(name, length);
            }

            @Override
            public long limit() {
                return machine.incomingRamLimit();
            }
        });
        loader.adoptUnknownSections(f::adopt);
        return f;
    }

    private SaveStateEntry adopt(SectionHeader h) {
        return machine.registry().register(h.idstr(), h.instanceId(), h.versionId(), HandlerRegistry.PRIORITY_DEFAULT,
                new RawSection(h.idstr(), h.instanceId(), h.versionId()));
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

    /** Stops adopting after a failed load. */
    public void abandon() {
        machine.ramHandler().setBlockAdopter(null);
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
