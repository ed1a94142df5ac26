package io.godwit.inspect;

import io.godwit.stream.StreamInput;
import java.io.IOException;

/**
 * Reads the payload of one section of a format it knows, from after the section header up to
 * the footer, verifying each record; what it learns it keeps for the report.
 */
interface SectionReader {
    void read(StreamInput in, int version) throws IOException;
}
