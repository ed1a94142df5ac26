/**
 * Migration capabilities and parameters, with QEMU's names and defaults.
 */
package io.godwit.options;
