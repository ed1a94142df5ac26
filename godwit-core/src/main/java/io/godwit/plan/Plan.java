package io.godwit.plan;

import java.util.List;

/** The prediction for a migration as configured, and, when it would not converge, what would. */
public record Plan(Scenario scenario, Prediction prediction, List<Suggestion> suggestions) {}
