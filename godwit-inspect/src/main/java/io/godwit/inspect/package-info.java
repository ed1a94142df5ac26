/**
 * Reading migration stream files offline: the trailer's VMState descriptions and a walker that
 * consumes exactly the described fields, one reader per section kind on the engine's codecs, RAM
 * extraction, text and JSON reports, and the trailer check that a machine relaying a QEMU stream
 * applies to the device state it keeps raw.
 */
package io.godwit.inspect;
