/**
 * What a management client can do to a machine: migrate, take an incoming migration, cancel, set
 * capabilities and parameters, stop, continue, query. QMP maps its commands onto this facade;
 * the facade knows nothing of JSON.
 */
package io.godwit.monitor;
