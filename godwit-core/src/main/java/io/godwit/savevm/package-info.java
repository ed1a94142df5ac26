/**
 * The handler SPI and its orchestration (QEMU include/migration/register.h and savevm.c):
 * SaveVmHandler with its setup, iterate, complete and load phases and the Pending split into
 * must-precopy and can-postcopy bytes; the registry of handlers by idstr, instance and version;
 * the saver and loader that walk the stream's sections.
 */
package io.godwit.savevm;
