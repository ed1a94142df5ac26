/**
 * The migration's counters, kept in one place; query-migrate figures are read from here (QEMU
 * migration-stats.c).
 */
package io.godwit.stats;
