/** Starting {@code godwit run} machines as child processes, for the demo, benchmarks and tests. */
module io.godwit.launch {
    requires transitive io.godwit.qmp;

    exports io.godwit.launch;
}
