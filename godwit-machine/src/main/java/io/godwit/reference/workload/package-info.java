/**
 * Reference workloads that dirty state in realistic patterns: the a-b writer (QEMU's migration
 * test pattern), random and hot-set writers, disk writers, storage-attribute flips, and memory
 * fills.
 */
package io.godwit.reference.workload;
