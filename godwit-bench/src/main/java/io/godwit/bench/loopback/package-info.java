/**
 * {@code godwit bench loopback}: the machine's ceiling for moving bytes between two processes over
 * loopback TCP, with no protocol. A sender and a receiver JVM ({@link io.godwit.bench.loopback.LoopbackPeer})
 * move off-heap memory to off-heap memory over N connections, driven over a line-based control
 * connection by {@link io.godwit.bench.loopback.LoopbackBench}, which times each run and checks that the
 * receiver's memory equals the sender's.
 */
package io.godwit.bench.loopback;
