/**
 * The embedding API: what a Java service uses to move its live state to another process without
 * stopping. A service creates a {@link io.godwit.api.Node}, gives it its state (off-heap
 * {@link io.godwit.api.Region}s that its own code writes with plain {@code MemorySegment} stores,
 * and any {@link io.godwit.savevm.SaveVmHandler} under an idstr, instance and version), then either
 * runs and calls {@link io.godwit.api.Node#migrateTo} or waits with {@link io.godwit.api.Node#listen}.
 * A {@link io.godwit.api.NodeListener} tells the source when to stop writing and when it may carry
 * on, and tells the destination when it is live; a {@link io.godwit.api.MigrationHandle} follows one
 * migration with QEMU's {@code query-migrate} figures and a future. The package is a thin facade on
 * the engine ({@link io.godwit.machine.Machine}, {@link io.godwit.monitor.Monitor}, the migration
 * loop), so a node can also be managed over QMP like any Godwit machine.
 */
package io.godwit.api;
