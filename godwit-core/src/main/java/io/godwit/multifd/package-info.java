/**
 * Multifd (QEMU migration/multifd.c): RAM pages travel on several extra connections beside the main
 * stream, in packets of up to 128 pages of one RAM block, optionally compressed with zlib or zstd.
 * The wire codecs ({@link io.godwit.multifd.InitMessage}, {@link io.godwit.multifd.PacketCodec})
 * check everything they read; {@link io.godwit.multifd.MultifdSender} and
 * {@link io.godwit.multifd.MultifdReceiver} run one thread per channel and meet the main stream at
 * its sync points (MULTIFD_FLUSH records, or each section's end).
 */
package io.godwit.multifd;
