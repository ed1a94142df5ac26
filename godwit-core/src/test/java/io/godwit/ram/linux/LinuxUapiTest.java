package io.godwit.ram.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The ioctl numbers and struct sizes computed here equal the kernel's uapi headers. The expected
 * values are what the C compiler gives for the macros of linux/userfaultfd.h and linux/fs.h on
 * x86-64 (printf("%#lx", UFFDIO_API), sizeof(struct pm_scan_arg), ...).
 */
class LinuxUapiTest {
    @Test
    void userfaultfdIoctlNumbersMatchTheHeaders() {
        assertThat(Userfaultfd.UFFDIO_API).isEqualTo(0xc018aa3fL);
        assertThat(Userfaultfd.UFFDIO_REGISTER).isEqualTo(0xc020aa00L);
        assertThat(Userfaultfd.UFFDIO_UNREGISTER).isEqualTo(0x8010aa01L);
        assertThat(Userfaultfd.UFFDIO_WRITEPROTECT).isEqualTo(0xc018aa06L);
        assertThat(Userfaultfd.USERFAULTFD_IOC_NEW).isEqualTo(0xaa00L);
    }

    @Test
    void pagemapScanIoctlNumberMatchesTheHeader() {
        assertThat(PagemapScan.PAGEMAP_SCAN).isEqualTo(0xc0606610L);
    }

    @Test
    void structSizesMatchTheHeaders() {
        assertThat(Userfaultfd.API.byteSize()).isEqualTo(24);
        assertThat(Userfaultfd.RANGE.byteSize()).isEqualTo(16);
        assertThat(Userfaultfd.REGISTER.byteSize()).isEqualTo(32);
        assertThat(Userfaultfd.WRITEPROTECT.byteSize()).isEqualTo(24);
        assertThat(PagemapScan.ARG.byteSize()).isEqualTo(96);
        assertThat(PagemapScan.PAGE_REGION.byteSize()).isEqualTo(24);
    }

    @Test
    void fieldOffsetsFollowTheHeaders() {
        assertThat(PagemapScan.ARG.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("walk_end")))
                .isEqualTo(32);
        assertThat(PagemapScan.ARG.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("return_mask")))
                .isEqualTo(88);
        assertThat(Userfaultfd.REGISTER.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("mode")))
                .isEqualTo(16);
    }

    @Test
    void refusesIoctlFieldsOutOfRange() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ioctl.iowr(0xAA, 1, 1 << 14))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 16384");
    }
}
