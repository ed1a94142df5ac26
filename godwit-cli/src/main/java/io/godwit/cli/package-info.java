/**
 * The godwit command (picocli): run, demo, migrate, query, cancel, set, qmp, bench, inspect.
 */
package io.godwit.cli;
