/**
 * An example service that embeds Godwit: a key-value table kept in an off-heap region and written
 * with plain segment stores ({@link io.godwit.examples.kv.KvTable}), served over HTTP with the
 * JDK's HTTP server ({@link io.godwit.examples.kv.KvService}, {@link io.godwit.examples.kv.KvMain}),
 * that migrates live to another process through {@link io.godwit.api.Node}; and a load generator
 * whose clients follow the service to its new address and check every value they read
 * ({@link io.godwit.examples.kv.LoadGenerator}).
 */
package io.godwit.examples.kv;
