/**
 * Reports a person wants to look at: charts drawn with XChart ({@link dev.mlx.app.report.CurveChart},
 * {@link dev.mlx.app.report.AccuracyChart}), saliency figures ({@link dev.mlx.app.report.SaliencyFigure})
 * and self-contained HTML pages ({@link dev.mlx.app.report.HtmlReport}) that embed every image as a
 * base64 PNG data URI; the same charts as SVG ({@link dev.mlx.app.report.Svg}) and results tables as CSV
 * and booktabs LaTeX ({@link dev.mlx.app.report.PasteTable}), written atomically
 * ({@link dev.mlx.app.report.AtomicFiles}). This package renders values it is given; it knows nothing
 * about run folders.
 */
package dev.mlx.app.report;
