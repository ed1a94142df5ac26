/**
 * The reference machine that godwit run hosts, described on the command line: parsing of
 * workload and device specs and of byte sizes.
 */
package io.godwit.reference;
