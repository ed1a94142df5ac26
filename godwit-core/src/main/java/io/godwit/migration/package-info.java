/**
 * The migration itself (QEMU migration/migration.c): the source's state machine and iteration
 * loop with its threshold rule, rate limit and bandwidth window, the destination's incoming
 * side, the return path, and the query-migrate snapshot of both.
 */
package io.godwit.migration;
