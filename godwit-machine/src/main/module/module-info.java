/** The reference machines that {@code godwit run} hosts: workloads, reference devices, run specs. */
module io.godwit.machine {
    requires transitive io.godwit.core;

    exports io.godwit.reference;
    exports io.godwit.reference.device;
    exports io.godwit.reference.workload;
}
