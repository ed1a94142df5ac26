package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.TruncatedStreamException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What pauses a post-copy (a broken link) and what fails it (a stream the peer meant). */
class LinkBrokenTest {
    @Test
    void aReadThatFailsIsABrokenLinkEvenInsideASectionsLoad() {
        IOException shut = new IOException("in-memory channel shut down");
        assertThat(SourceRecovery.linkBroken(shut)).isTrue();
        assertThat(SourceRecovery.linkBroken(new StreamFormatException("loading section 'ram' (id 1) failed: "
                + shut.getMessage(), 141958221, shut))).as("StateLoader's wrapper of a failed read").isTrue();
        assertThat(SourceRecovery.linkBroken(new TruncatedStreamException("8 more bytes", 10))).isTrue();
    }

    @Test
    void aRefusedStreamIsNoBrokenLink() {
        StreamFormatException refused = new StreamFormatException("unknown RAM flags", 10);
        assertThat(SourceRecovery.linkBroken(refused)).isFalse();
        assertThat(SourceRecovery.linkBroken(new StreamFormatException("loading section 'ram' (id 1) failed: x", 5,
                refused))).isFalse();
        assertThat(SourceRecovery.linkBroken(new StreamFormatException("loading section 'dev' (id 2) failed: x", 5,
                new IllegalStateException("a handler's bug")))).isFalse();
    }
}
