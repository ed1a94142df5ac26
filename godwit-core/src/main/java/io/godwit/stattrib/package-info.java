/**
 * Per-page storage attributes (QEMU hw/s390x/s390-stattrib.c): a page-state array with its own
 * change tracking, its migration section, and the unused-page knowledge that lets RAM skip pages
 * the guest does not use.
 */
package io.godwit.stattrib;
