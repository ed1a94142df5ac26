package io.godwit.plan;

/**
 * What the model expects: whether pre-copy converges within the horizon, the passes (dirty syncs,
 * the setup's and the switchover's included, as query-migrate's dirty-sync-count counts them),
 * the total time from the migrate command to completion, and the downtime. When it does not
 * converge, the times are the horizon's and {@code downtimeMs} is what a switch at the horizon
 * would cost. {@code throttlePercent} is where a throttle ended.
 */
public record Prediction(boolean converges, int passes, long totalTimeMs, long downtimeMs, int throttlePercent) {}
