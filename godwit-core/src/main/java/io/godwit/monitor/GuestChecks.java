package io.godwit.monitor;

import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RamWrites;
import io.godwit.ram.RamBlock;
import io.godwit.ram.ZeroPages;
import io.godwit.stattrib.StorageAttributes;

/**
 * The x- commands tests and demonstrations use on guest RAM: writes that dirty it (x-ram-write),
 * and the checks that a migration carried it over (x-query-digest, x-check-ab, x-check-unused).
 */
final class GuestChecks {
    private final Machine machine;
    private volatile AutoCloseable ramWriter; // x-ram-write with repeat

    GuestChecks(Machine machine) {
        this.machine = machine;
    }

    MachineDigest.Digest digest() {
        return MachineDigest.of(machine);
    }

    AbCheck.Result checkAb() {
        return AbCheck.check(machine);
    }

    AbCheck.Result checkAb(String block, long offset, Long length) {
        RamBlock b = machine.ram(block);
        if (b == null) {
            throw new MonitorException("No RAM block '" + block + "'; the machine has "
                    + machine.ram().stream().map(RamBlock::name).toList());
        }
        try {
            return AbCheck.check(b, offset, length != null ? length : b.size() - offset);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    /** A repeating writer still going is stopped first. */
    void ramWrite(String block, long offset, long count, long stride, int value, boolean repeat) {
        stopRamWriter();
        try {
            if (repeat) {
                ramWriter = RamWrites.repeat(machine, block, offset, count, stride, value);
            } else {
                RamWrites.write(machine, block, offset, count, stride, value);
            }
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    void stopRamWriter() {
        AutoCloseable w = ramWriter;
        ramWriter = null;
        if (w != null) {
            try {
                w.close();
            } catch (Exception e) {
                Thread.currentThread().interrupt(); // only an interrupted join fails
            }
        }
    }

    Monitor.UnusedPages checkUnused() {
        StorageAttributes a = machine.storageAttributes();
        if (a == null) {
            throw new MonitorException("the machine has no storage attributes");
        }
        long unused = 0;
        long nonZero = 0;
        for (RamBlock b : machine.ram()) {
            for (long p = 0; p < b.pages(); p++) {
                if (a.unused(b, p)) {
                    unused++;
                    b.awaitRange(p << RamBlock.PAGE_SHIFT, RamBlock.PAGE_SIZE); // post-copy: read raw below
                    if (!ZeroPages.isZero(b.segment(), p << RamBlock.PAGE_SHIFT)) {
                        nonZero++;
                    }
                }
            }
        }
        return new Monitor.UnusedPages(unused, nonZero);
    }
}
