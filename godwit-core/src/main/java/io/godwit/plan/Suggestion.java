package io.godwit.plan;

import java.util.Map;

/**
 * A change that would make the migration converge, with what the model predicts under it:
 * {@code kind} is downtime-limit, max-bandwidth, auto-converge, dirty-limit or postcopy;
 * {@code settings} are QMP parameter and capability names with their values.
 */
public record Suggestion(String kind, Map<String, Object> settings, Prediction predicted, String note) {}
