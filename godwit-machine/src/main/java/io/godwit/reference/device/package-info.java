/**
 * Reference devices with their own migration protocol: a synthetic device that is large and slow
 * to load, and a key-value store that logs mutations during pre-copy.
 */
package io.godwit.reference.device;
