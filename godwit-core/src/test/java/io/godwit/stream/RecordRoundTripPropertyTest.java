package io.godwit.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any sequence of framing records reads back as written, whatever buffers the bytes arrive in. */
class RecordRoundTripPropertyTest {

    private static Arbitrary<String> names(int min, int max) {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(min).ofMaxLength(max);
    }

    private static Arbitrary<StreamRecord> sections() {
        Arbitrary<Integer> ints = Arbitraries.integers();
        Arbitrary<StreamRecord> startOrFull = Combinators.combine(Arbitraries.of(true, false), ints,
                names(0, 255), ints, ints).as((start, id, idstr, instance, version) -> start
                        ? SectionHeader.start(id, idstr, instance, version)
                        : SectionHeader.full(id, idstr, instance, version));
        Arbitrary<StreamRecord> partOrEnd = Combinators.combine(Arbitraries.of(true, false), ints)
                .as((part, id) -> part ? SectionHeader.part(id) : SectionHeader.end(id));
        Arbitrary<StreamRecord> footer = ints.map(SectionFooter::new);
        return Arbitraries.oneOf(startOrFull, partOrEnd, footer);
    }

    private static Arbitrary<StreamRecord> commands() {
        return Arbitraries.of(CommandType.class).flatMap(t -> {
            Arbitrary<byte[]> data = t.length >= 0
                    ? Arbitraries.bytes().array(byte[].class).ofSize(t.length)
                    : Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
            return data.map(d -> new Command(t, d));
        });
    }

    private static Arbitrary<StreamRecord> configurations() {
        Arbitrary<UUID> uuid = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new)
                .injectNull(0.3);
        Arbitrary<Integer> pageBits = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers());
        return Combinators.combine(names(0, 256), pageBits, names(1, 40).list().ofMaxSize(5), uuid)
                .as(Configuration::new);
    }

    /** Text with multi-byte UTF-8 characters, so the length prefix must count bytes. */
    private static Arbitrary<String> json() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("\u00e9\u20ac\u4e2d").ofMaxLength(200);
    }

    @Provide
    Arbitrary<List<StreamRecord>> records() {
        Arbitrary<StreamRecord> any = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, sections()),
                net.jqwik.api.Tuple.of(2, commands()),
                net.jqwik.api.Tuple.of(1, configurations()),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(StreamRecord.EOF)),
                net.jqwik.api.Tuple.of(1, json().map(VmDescription::new)));
        return any.list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void recordsReadBackAsWritten(@ForAll("records") List<StreamRecord> records, @ForAll long seed)
            throws IOException {
        Bytes.Sink sink = Bytes.sink(16 + (int) Math.floorMod(seed, 100));
        StreamOutput out = new StreamOutput(sink);
        MigrationStreamWriter w = new MigrationStreamWriter(out);
        for (StreamRecord r : records) {
            w.write(r);
        }
        out.flush();

        MigrationStreamReader reader = new MigrationStreamReader(Bytes.chopped(sink.toByteArray(), seed));
        List<StreamRecord> read = new ArrayList<>();
        for (StreamRecord r; (r = reader.next()) != null; ) {
            read.add(r);
        }
        assertThat(read).isEqualTo(records);
        assertThat(reader.in().position()).isEqualTo(out.bytesWritten());
    }
}
