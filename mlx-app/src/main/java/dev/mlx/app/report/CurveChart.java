package dev.mlx.app.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart of named series {@code y(x)} (here: a metric per epoch), drawn with XChart's
 * {@link XYChart} and rendered to a {@link BufferedImage}. Points whose {@code x} or {@code y} is NaN or
 * infinite are left out (an epoch without test evaluation, a diverged loss); a series left without
 * points is not drawn. Rendering needs no display: it runs with {@code java.awt.headless=true}.
 */
public final class CurveChart {
    private final String title;
    private final String xAxisTitle;
    private final String yAxisTitle;
    private final List<Series> series = new ArrayList<>();

    /**
     * One named curve with its finite points.
     *
     * @param name the legend entry
     * @param x the abscissas
     * @param y the ordinates, as many as {@code x}
     */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
            }
            x = x.clone();
            y = y.clone();
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }
    }

    private CurveChart(String title, String xAxisTitle, String yAxisTitle) {
        this.title = title;
        this.xAxisTitle = xAxisTitle;
        this.yAxisTitle = yAxisTitle;
    }

    /**
     * @param title the chart's title
     * @param xAxisTitle the x axis label
     * @param yAxisTitle the y axis label
     * @return an empty chart
     */
    public static CurveChart of(String title, String xAxisTitle, String yAxisTitle) {
        return new CurveChart(title, xAxisTitle, yAxisTitle);
    }

    /**
     * Adds a curve, keeping only the points where both coordinates are finite.
     *
     * @param name the legend entry (unique within the chart)
     * @param x abscissas
     * @param y ordinates, as many as {@code x}
     * @return this chart
     */
    public CurveChart addSeries(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
        }
        if (series.stream().anyMatch(s -> s.name().equals(name))) {
            throw new IllegalArgumentException("series '" + name + "' is already in chart '" + title + "'");
        }
        double[] fx = new double[x.length];
        double[] fy = new double[y.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                fx[n] = x[i];
                fy[n] = y[i];
                n++;
            }
        }
        if (n > 0) {
            series.add(new Series(name, Arrays.copyOf(fx, n), Arrays.copyOf(fy, n)));
        }
        return this;
    }

    /** @return the curves that have at least one point, in the order added */
    public List<Series> series() {
        return List.copyOf(series);
    }

    /** @return the chart's title */
    public String title() {
        return title;
    }

    /** @return whether no curve has a point (such a chart is not worth drawing) */
    public boolean isEmpty() {
        return series.isEmpty();
    }

    /**
     * @param width image width in pixels
     * @param height image height in pixels
     * @return the chart drawn by XChart
     * @throws IllegalStateException if the chart has no point to draw
     */
    public BufferedImage render(int width, int height) {
        return BitmapEncoder.getBufferedImage(xchart(width, height));
    }

    /**
     * @param width drawing width in points
     * @param height drawing height in points
     * @return the chart as an SVG document ({@link Svg})
     * @throws IllegalStateException if the chart has no point to draw
     */
    public byte[] svg(int width, int height) {
        return Svg.encode(xchart(width, height));
    }

    private XYChart xchart(int width, int height) {
        if (isEmpty()) {
            throw new IllegalStateException("chart '" + title + "' has no finite point to draw");
        }
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xAxisTitle)
                .yAxisTitle(yAxisTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setAntiAlias(true);
        boolean wholeX = series.stream().allMatch(s -> Arrays.stream(s.x).allMatch(v -> v == Math.rint(v)));
        if (wholeX) {
            chart.getStyler().setXAxisDecimalPattern("0");
        }
        for (Series s : series) {
            chart.addSeries(s.name(), s.x, s.y).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
