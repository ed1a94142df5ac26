package io.godwit.reference.workload;

import io.godwit.stattrib.StorageAttributes;
import io.godwit.stattrib.PageState;
import io.godwit.machine.Machine;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.util.SplittableRandom;

/** Changes random pages' states at a set rate, between STABLE and UNUSED, as a guest's allocator would. */
public final class AttributeFlipper implements Workload {
    private final StorageAttributes attributes;
    private final long perSecond;
    private final SplittableRandom random;

    public AttributeFlipper(StorageAttributes attributes, long perSecond, long seed) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.attributes = attributes;
        this.perSecond = perSecond;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "attrs:" + perSecond;
    }

    @Override
    public void step(WorkloadPacer pacer) {
        long due = pacer.due(perSecond, 1024);
        for (long i = 0; i < due; i++) {
            attributes.set(random.nextLong(attributes.pages()), random.nextBoolean() ? PageState.UNUSED : PageState.STABLE);
        }
        pacer.did(due);
    }
}
