/**
 * End-to-end benchmarks behind godwit bench: RAM in process and between processes, devices,
 * disks.
 */
package io.godwit.bench;
