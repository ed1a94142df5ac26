/**
 * Multifd (QEMU migration/multifd.c): RAM pages travel on several extra connections beside the main
 * stream, in packets of up to 128 pages of one RAM block, optionally compressed with zlib or zstd.
 * The wire codecs ({@link io.godwit.multifd.InitMessage}, {@link io.godwit.multifd.PacketCodec})
 * check everything they read; {@link io.godwit.multifd.MultifdSender} and
 * {@link io.godwit.multifd.MultifdReceiver} run one thread per channel and meet the main stream at
 * its sync points (MULTIFD_FLUSH records, or each section's end). Devices with multifd-transfer
 * send their stop-copy state on the same channels as QEMU 10.0's device state packets
 * ({@link io.godwit.multifd.DeviceStatePacket}); the receiver hands them to a
 * {@link io.godwit.multifd.DeviceStateSink}.
 */
package io.godwit.multifd;
