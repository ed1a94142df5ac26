package io.godwit.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Text quoted from a stream, made one printable line. */
class PrintableTest {
    @Test
    void leavesPrintableTextAsItIs() {
        String s = "pc.ram /rom@etc/acpi/tables 0000:00:01.1/ide \u00e9\u4e2d \ud83d\ude00 \ufffd";
        assertThat(Printable.isPrintable(s)).isTrue();
        assertThat(Printable.escape(s)).isSameAs(s);
    }

    @Test
    void escapesControlCharactersAsHexBytes() {
        assertThat(Printable.escape("a\u0000b\nc\r\td\u001b[2Je\u007f\u0085"))
                .isEqualTo("a\\x00b\\x0ac\\x0d\\x09d\\x1b[2Je\\x7f\\x85");
    }

    @Test
    void escapesLineSeparatorsFormatCharactersAndLoneSurrogates() {
        assertThat(Printable.escape("a\u2028b\u2029c\u202ed\ud800e\udc00")).isEqualTo(
                "a\\u2028b\\u2029c\\u202ed\\ud800e\\udc00");
        assertThat(Printable.isPrintable("x\ud800")).isFalse();
    }

    @Test
    void refusalsEscapeWhatTheyQuote() {
        StreamFormatException e = new StreamFormatException("unknown RAM block 'a\nb'", 12);
        assertThat(e.getMessage()).isEqualTo("unknown RAM block 'a\\x0ab' at byte offset 12");
        assertThat(e.reason()).isEqualTo("unknown RAM block 'a\\x0ab'");
    }
}
