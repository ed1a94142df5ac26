/**
 * The threads that run a machine's workloads, as vCPUs run a guest: the Workload SPI, its pacer,
 * and the gate that parks every thread between steps when the machine stops.
 */
package io.godwit.vcpu;
