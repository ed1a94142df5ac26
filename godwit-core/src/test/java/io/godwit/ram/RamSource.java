package io.godwit.ram;

import io.godwit.options.Capabilities;
import io.godwit.savevm.HandlerSource;
import java.io.IOException;
import java.util.List;

/** A RamHandler on the source side, writing into memory, with a page budget per iteration. */
final class RamSource extends HandlerSource<RamHandler> {
    RamSource(RamBlock... blocks) throws IOException {
        super(handlerOf(blocks), Capabilities.defaults());
    }

    RamSource(Capabilities caps, RamBlock... blocks) throws IOException {
        super(handlerOf(blocks), caps);
    }

    private static RamHandler handlerOf(RamBlock... blocks) {
        List<RamBlock> list = List.of(blocks);
        return new RamHandler(() -> list);
    }
}
