/**
 * QMP, QEMU's JSON management protocol: a server that maps commands onto a machine's Monitor and
 * shapes every reply and event as QEMU does, and a small client.
 */
package io.godwit.qmp;
