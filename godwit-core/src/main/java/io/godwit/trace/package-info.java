/**
 * JFR events mirroring QEMU's migration trace points: pending estimates and exact figures,
 * passes, bandwidth, state changes, device states and switchover.
 */
package io.godwit.trace;
