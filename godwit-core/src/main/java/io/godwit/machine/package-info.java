/**
 * A machine: the unit a migration moves. It owns RAM blocks, disks, storage attributes and
 * devices, the handler registry that migrates them, the vCPU threads that run its workloads, and
 * a run state; it also checks and digests migrated state (the a-b check, the SHA-256 digest) and
 * adopts a foreign source's layout when it starts blank.
 */
package io.godwit.machine;
