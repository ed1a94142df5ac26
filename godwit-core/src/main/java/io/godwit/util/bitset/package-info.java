/**
 * An atomic bitset that writers mark concurrently and one owner drains: RAM's dirty log, a
 * disk's written chunks, a device's changed blocks.
 */
package io.godwit.util.bitset;
