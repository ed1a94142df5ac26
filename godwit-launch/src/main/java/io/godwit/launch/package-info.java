/**
 * Starting godwit run machines as child processes, each with its QMP connection and log file,
 * for the demo, the benchmarks and the tests.
 */
package io.godwit.launch;
