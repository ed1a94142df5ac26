/**
 * JMH micro-benchmarks of the per-page hot path: zero detection, dirty marking and sync.
 */
package io.godwit.bench.jmh;
