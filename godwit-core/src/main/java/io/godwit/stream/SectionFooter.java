package io.godwit.stream;

/** QEMU_VM_SECTION_FOOTER: closes a section, repeating its id so a misparse is caught early. */
public record SectionFooter(int sectionId) implements StreamRecord {}
