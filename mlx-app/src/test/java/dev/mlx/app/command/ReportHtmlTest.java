package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report.html files of {@code mlx compare} and {@code mlx train} on generated data: the results
 * table has a row per method, every image is an embedded PNG that decodes, and the curves and
 * saliency figures are there.
 */
class ReportHtmlTest {
    static final Consumer<PluginRegistry.Builder> TINY = b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test");
    private static final Pattern IMG = Pattern.compile(
            "<img class=\"([a-z]+)\" width=\"(\\d+)\" height=\"(\\d+)\" alt=\"[^\"]*\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\">");

    @TempDir
    Path tmp;

    /** An embedded image: its class attribute and the decoded PNG. */
    record Embedded(String cssClass, BufferedImage image) {}

    static List<Embedded> images(String html) throws Exception {
        List<Embedded> list = new ArrayList<>();
        Matcher m = IMG.matcher(html);
        while (m.find()) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(4))));
            assertEquals(Integer.parseInt(m.group(2)), image.getWidth(), "declared width of a " + m.group(1));
            assertEquals(Integer.parseInt(m.group(3)), image.getHeight(), "declared height of a " + m.group(1));
            list.add(new Embedded(m.group(1), image));
        }
        assertEquals(html.split("<img ", -1).length - 1, list.size(), "every <img> is an embedded PNG");
        return list;
    }

    static long count(List<Embedded> images, String cssClass) {
        return images.stream().filter(e -> e.cssClass().equals(cssClass)).count();
    }

    @Test
    void aComparisonReportHasTheTableTheChartsAndEveryMethodsSaliency() throws Exception {
        Path out = tmp.resolve("cmp");
        CliRun r = CliRun.of(TINY, "compare", "--dataset", "tiny-decoy", "--methods", "erm,rrr", "--epochs", "2",
                "--dataset-param", "train-size=200", "--dataset-param", "test-size=80", "--out", out.toString(),
                "--plugins-dir", tmp.resolve("none").toString());
        assertEquals(0, r.exitCode(), r::toString);
        String html = Files.readString(out.resolve("report.html"));
        assertFalse(html.contains("<script") || html.contains("http://") || html.contains("https://"),
                "self-contained, no script");
        assertTrue(html.contains("<td>erm</td>") && html.contains("<td>rrr</td>"), "a table row per method");
        List<Embedded> images = images(html);
        assertEquals(1, count(images, "accuracy"), "the accuracy-per-method chart");
        assertEquals(4, count(images, "curve"), "Wg Acc, Avg Acc, loss and train accuracy curves");
        assertEquals(2 * TinyDecoyProvider.CLASSES, count(images, "saliency"), "four examples per method");
        assertTrue(html.contains("href=\"erm/report.html\"") && html.contains("href=\"rrr/report.html\""));
        for (String method : List.of("erm", "rrr")) {
            String run = Files.readString(out.resolve(method).resolve("report.html"));
            List<Embedded> runImages = images(run);
            assertEquals(2, count(runImages, "curve"), method + ": loss and accuracy curves");
            assertEquals(TinyDecoyProvider.CLASSES, count(runImages, "saliency"), method);
            assertTrue(run.contains("<table class=\"results\">") && run.contains("<table class=\"groups\">"), method);
        }
        assertTrue(html.contains("input-gradient attribution of class 0 for test example 0 (label 0"), html.substring(0,
                Math.min(html.length(), 2000)));
    }

    @Test
    void aTrainRunWritesItsReportHtml() throws Exception {
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of(TINY, "train", "-d", "tiny-decoy", "-r", "rrr", "--epochs", "2", "--dataset-param",
                "train-size=120", "--dataset-param", "test-size=40", "--out", out.toString(), "--plugins-dir",
                tmp.resolve("none").toString());
        assertEquals(0, r.exitCode(), r::toString);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<title>mlx run: rrr on tiny-decoy</title>"), html.substring(0, 400));
        List<Embedded> images = images(html);
        assertEquals(2, count(images, "curve"));
        assertEquals(TinyDecoyProvider.CLASSES, count(images, "saliency"));
        assertTrue(html.contains("<dt>regularizer</dt><dd>rrr"), "the configuration is listed");
        assertTrue(Files.readString(out.resolve("report.md")).contains("report.html"));
    }
}
