/** QMP, QEMU's JSON management protocol: the server that drives a machine, and a client. */
module io.godwit.qmp {
    requires transitive io.godwit.core;
    requires transitive com.fasterxml.jackson.databind;

    exports io.godwit.qmp;
}
