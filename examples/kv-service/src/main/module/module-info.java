/** An example service that embeds Godwit: a key-value table in an off-heap region, served over HTTP. */
module io.godwit.examples.kv {
    requires io.godwit.core;
    requires io.godwit.qmp;
    requires jdk.httpserver;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;

    exports io.godwit.examples.kv;
}
