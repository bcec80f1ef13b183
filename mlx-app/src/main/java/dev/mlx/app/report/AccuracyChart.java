package dev.mlx.app.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A grouped bar chart of accuracies per method (one bar group per method, one bar per measure, e.g.
 * Avg Acc and Wg Acc in percent), drawn with XChart's {@link CategoryChart}. A NaN value is drawn as
 * a zero-height bar and keeps its place, so the groups stay aligned.
 */
public final class AccuracyChart {
    private final String title;
    private final List<String> methods;
    private final Map<String, double[]> measures = new LinkedHashMap<>();

    private AccuracyChart(String title, List<String> methods) {
        this.title = title;
        this.methods = List.copyOf(methods);
    }

    /**
     * @param title the chart's title
     * @param methods the categories, in display order (at least one)
     * @return a chart without measures yet
     */
    public static AccuracyChart of(String title, List<String> methods) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("an accuracy chart needs at least one method");
        }
        return new AccuracyChart(title, methods);
    }

    /**
     * @param name the measure's legend entry, e.g. {@code "Wg Acc"}
     * @param percent one value per method, in the order of the methods
     * @return this chart
     */
    public AccuracyChart addMeasure(String name, double[] percent) {
        if (percent.length != methods.size()) {
            throw new IllegalArgumentException(name + ": " + percent.length + " values for " + methods.size()
                    + " methods");
        }
        measures.put(name, percent.clone());
        return this;
    }

    /** @return the measures' names, in the order added */
    public List<String> measures() {
        return List.copyOf(measures.keySet());
    }

    /**
     * @param width image width in pixels
     * @param height image height in pixels
     * @return the chart drawn by XChart
     */
    public BufferedImage render(int width, int height) {
        return BitmapEncoder.getBufferedImage(xchart(width, height));
    }

    /**
     * @param width drawing width in points
     * @param height drawing height in points
     * @return the chart as an SVG document ({@link Svg})
     */
    public byte[] svg(int width, int height) {
        return Svg.encode(xchart(width, height));
    }

    private CategoryChart xchart(int width, int height) {
        if (measures.isEmpty()) {
            throw new IllegalStateException("chart '" + title + "' has no measure to draw");
        }
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("method").yAxisTitle("%").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setLabelsVisible(methods.size() <= 8);
        chart.getStyler().setYAxisDecimalPattern("0");
        if (methods.size() > 6) {
            chart.getStyler().setXAxisLabelRotation(45);
        }
        measures.forEach((name, values) -> {
            List<Number> ys = new ArrayList<>();
            for (double v : values) {
                ys.add(Double.isFinite(v) ? v : 0.0);
            }
            chart.addSeries(name, methods, ys);
        });
        return chart;
    }
}
