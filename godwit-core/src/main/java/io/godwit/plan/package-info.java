/**
 * Predicting a pre-copy migration before it runs: a model of QEMU's loop (each pass sends what was
 * dirtied during the one before at the link's rate; switchover once what is left fits bandwidth x
 * downtime-limit) fed with the machine's working set (how many distinct bytes get dirtied in a
 * window of a given length, which saturates at the hot set), and the settings that would make a
 * migration converge when it does not. Pure functions of their inputs: no clock, no I/O.
 */
package io.godwit.plan;
