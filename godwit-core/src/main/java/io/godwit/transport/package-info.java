/**
 * Migration URIs and the connections behind them: tcp, unix, file (save and restore), exec, and
 * an in-memory pipe for in-process migrations.
 */
package io.godwit.transport;
