package dev.mlx.app.report;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * SVG encoding of XChart charts (through XChart's {@link VectorGraphicsEncoder}, which draws with
 * VectorGraphics2D): the vector twin of a chart's PNG, for papers and slides that scale it.
 */
public final class Svg {
    private Svg() {}

    /**
     * @param chart an XChart chart with its series
     * @return the chart as an SVG document (UTF-8, starting with {@code <?xml})
     * @throws MlxException (internal) if XChart cannot draw it
     */
    public static byte[] encode(Chart<?, ?> chart) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, bytes, VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.INTERNAL, "cannot encode chart as SVG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
