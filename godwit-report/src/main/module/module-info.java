/** Reports of recorded migrations: charts of a JFR recording as one HTML page and PNG files. */
module io.godwit.report {
    requires io.godwit.core;
    requires jdk.jfr;
    requires java.desktop;
    requires org.jfree.jfreechart;
    requires org.jfree.svg;

    exports io.godwit.report;
}
