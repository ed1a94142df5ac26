/** Reading migration stream files offline, and the trailer check for relays of QEMU streams. */
module io.godwit.inspect {
    requires transitive io.godwit.core;
    requires com.fasterxml.jackson.databind;

    exports io.godwit.inspect;
}
