/**
 * Linux bindings for kernel dirty tracking, through FFM (java.lang.foreign): a userfaultfd in
 * asynchronous write-protect mode and the PAGEMAP_SCAN ioctl on /proc/self/pagemap, with the
 * struct layouts and ioctl numbers of the kernel's uapi headers (linux/userfaultfd.h,
 * linux/fs.h). Every call reports failure as a {@link io.godwit.ram.linux.SyscallException}
 * carrying errno, and {@link io.godwit.ram.linux.Syscalls#unavailableReason()} says why the calls
 * cannot be made at all (another OS or architecture, or no native access), so the tracker that
 * uses them can fail soft.
 */
package io.godwit.ram.linux;
