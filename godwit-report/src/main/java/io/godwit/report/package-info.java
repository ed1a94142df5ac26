/**
 * Seeing a migration after the fact: {@link io.godwit.report.TraceReader} reads the Godwit events of
 * a JFR recording (pending figures, passes, bandwidth windows, settings, the switchover and its
 * parts, devices, post-copy faults) into a {@link io.godwit.report.MigrationTrace};
 * {@link io.godwit.report.Charts} draws it with JFreeChart, and {@link io.godwit.report.HtmlReport}
 * writes one self-contained HTML page (charts as inline SVG, no external references) and the same
 * charts as PNG files.
 */
package io.godwit.report;
