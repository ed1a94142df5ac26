/**
 * QEMU's migration stream format, version 3: the wire constants, byte-level input and output,
 * the frame reader and writer (header, sections, footers, commands, configuration, the
 * VMDESCRIPTION trailer) and the return-path messages. Readers verify a frame before acting on
 * it and name what they expected.
 */
package io.godwit.stream;
