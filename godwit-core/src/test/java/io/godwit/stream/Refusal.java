package io.godwit.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Checks a refusal: its exact exception type, the byte offset it names, and what its message says. */
public final class Refusal {
    private Refusal() {}

    public static <T extends StreamFormatException> T assertRefused(ThrowingCallable call, Class<T> type, long offset,
            String... messageParts) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("refusal").isExactlyInstanceOf(type);
        T e = type.cast(t);
        assertThat(e.offset()).as("offset of %s", e.getMessage()).isEqualTo(offset);
        assertThat(e.getMessage()).contains(messageParts).endsWith(" at byte offset " + offset);
        return e;
    }
}
