/**
 * The device model and its handler, after the VFIO migration v2 uAPI: device states and their
 * legal arcs, a data stream per session, pre-copy initial and dirty bytes, and the pending
 * policies (legacy, threshold, switchover-ack, cost-aware) by which a device holds switchover
 * back until its data is on the destination.
 */
package io.godwit.device;
