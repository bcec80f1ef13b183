package dev.mlx.app.ablate;

import dev.mlx.app.report.AtomicFiles;
import dev.mlx.app.report.Png;
import dev.mlx.app.report.Svg;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws an ablation's plots with XChart, accuracies in percent, each as a PNG file and as an SVG file
 * of the same name ({@code .svg} for {@code .png}, for papers):
 * <ul>
 *   <li>mask-fraction, data-fraction: {@code <kind>-wg.png} and {@code <kind>-avg.png}, Wg (resp.
 *       Avg) Acc against the fraction, one line per method;
 *   <li>corruption: {@code corruption-<name>-wg.png} per corruption, Wg Acc against the correct fraction;
 *   <li>heatmap: {@code heatmap-<method>.png} per method, Wg Acc over weight decay × mask fraction;
 *   <li>model-size: {@code model-size-wg.png}, bars of Wg Acc per size and method.
 * </ul>
 */
final class AblationPlots {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 480;

    private AblationPlots() {}

    /**
     * @param dir the output folder
     * @param kind the ablation
     * @param cells its cells
     * @return the PNG file names written, in order (each with its SVG twin, see {@link #svgName})
     */
    static List<String> write(Path dir, AblationKind kind, List<AblationCell> cells) {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        switch (kind) {
            case MASK_FRACTION, DATA_FRACTION -> {
                files.add(save(dir, kind.cliName() + "-wg.png",
                        lines(cells, kind.axis(), "Wg Acc (%)", AblationCell::worstGroupAccuracy, kind)));
                files.add(save(dir, kind.cliName() + "-avg.png",
                        lines(cells, kind.axis(), "Avg Acc (%)", AblationCell::averageGroupAccuracy, kind)));
            }
            case CORRUPTION -> {
                for (String c : values(cells, "corruption")) {
                    List<AblationCell> sub = cells.stream().filter(x -> x.coordinates().get("corruption").equals(c))
                            .toList();
                    files.add(save(dir, "corruption-" + c + "-wg.png",
                            lines(sub, kind.axis(), "Wg Acc (%)", AblationCell::worstGroupAccuracy, kind)));
                }
            }
            case HEATMAP -> {
                for (String m : values(cells, "method")) {
                    files.add(save(dir, "heatmap-" + m + ".png", heatmap(m,
                            cells.stream().filter(x -> x.coordinates().get("method").equals(m)).toList())));
                }
            }
            case MODEL_SIZE -> files.add(save(dir, "model-size-wg.png", bars(cells)));
            default -> throw new IllegalStateException(kind.toString());
        }
        return files;
    }

    private static XYChart lines(List<AblationCell> cells, String axis, String yTitle,
            ToDoubleFunction<AblationCell> metric, AblationKind kind) {
        String title = yTitle.replace(" (%)", "") + " vs " + axis
                + (kind == AblationKind.CORRUPTION ? " (" + cells.get(0).coordinates().get("corruption") + ")" : "");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(axis)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setMarkerSize(7);
        for (String m : values(cells, "method")) {
            List<AblationCell> series = cells.stream().filter(x -> x.coordinates().get("method").equals(m))
                    .sorted((a, b) -> Double.compare(x(a, axis), x(b, axis))).toList();
            double[] xs = series.stream().mapToDouble(c -> x(c, axis)).toArray();
            double[] ys = series.stream().mapToDouble(c -> 100 * metric.applyAsDouble(c)).toArray();
            chart.addSeries(m, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static HeatMapChart heatmap(String method, List<AblationCell> cells) {
        List<String> fractions = values(cells, "mask-fraction");
        List<String> decays = values(cells, "weight-decay");
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Wg Acc (%) of " + method + ": weight decay x mask fraction").xAxisTitle("mask fraction")
                .yAxisTitle("weight decay").build();
        chart.getStyler().setShowValue(true).setMin(0).setMax(100);
        List<Number[]> heat = new ArrayList<>();
        for (AblationCell c : cells) {
            heat.add(new Number[] {fractions.indexOf(c.coordinates().get("mask-fraction")),
                    decays.indexOf(c.coordinates().get("weight-decay")),
                    Math.round(1000 * c.worstGroupAccuracy()) / 10.0});
        }
        chart.addSeries("Wg Acc", fractions, decays, heat);
        return chart;
    }

    private static CategoryChart bars(List<AblationCell> cells) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title("Wg Acc vs model size")
                .xAxisTitle("model size").yAxisTitle("Wg Acc (%)").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        List<String> sizes = values(cells, "model-size");
        for (String m : values(cells, "method")) {
            List<Double> ys = new ArrayList<>();
            for (String s : sizes) {
                ys.add(cells.stream().filter(c -> c.coordinates().get("method").equals(m)
                        && c.coordinates().get("model-size").equals(s)).findFirst()
                        .map(c -> 100 * c.worstGroupAccuracy()).orElse(Double.NaN));
            }
            chart.addSeries(m, sizes, ys);
        }
        return chart;
    }

    private static double x(AblationCell c, String axis) {
        return Double.parseDouble(c.coordinates().get(axis));
    }

    /** @return the distinct values of a coordinate, numbers in increasing order, others in first-seen order */
    private static List<String> values(List<AblationCell> cells, String key) {
        Set<String> seen = new LinkedHashSet<>();
        cells.forEach(c -> seen.add(c.coordinates().get(key)));
        List<String> list = new ArrayList<>(seen);
        if (list.stream().allMatch(AblationPlots::isNumber)) {
            list.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        }
        return list;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Writes {@code name} (a PNG) and its SVG twin, each atomically; returns {@code name}. */
    private static String save(Path dir, String name, Chart<?, ?> chart) {
        AtomicFiles.write(dir.resolve(name), Png.encode(BitmapEncoder.getBufferedImage(chart)));
        AtomicFiles.write(dir.resolve(svgName(name)), Svg.encode(chart));
        return name;
    }

    /**
     * @param png a plot's PNG file name
     * @return the name of its SVG twin ({@code x.png} → {@code x.svg})
     */
    static String svgName(String png) {
        return png.substring(0, png.length() - ".png".length()) + ".svg";
    }
}
