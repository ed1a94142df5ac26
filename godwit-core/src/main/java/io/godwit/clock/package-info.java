/**
 * Injected time. The engine reads time only through a Clock, so tests advance a virtual clock
 * instead of sleeping.
 */
package io.godwit.clock;
