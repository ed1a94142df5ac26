/**
 * The threads that run a machine's workloads, as vCPUs run a guest: the Workload SPI, its pacer,
 * the gate that parks every thread between steps when the machine stops, and the throttle that
 * slows them during a migration (auto-converge's CPU throttle, dirty-limit's cap per thread).
 */
package io.godwit.vcpu;
