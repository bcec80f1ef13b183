package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report.html of a tiny {@code mlx demo} (generated 8x8 data, two methods, two epochs) in
 * headless Chromium (Debian package {@code chromium}, installed by {@code .ci/setup}) and checks what a
 * reader sees: the results table has a row per method, and every image (accuracy chart, training
 * curves, saliency figures) was decoded by the browser ({@code complete} with its natural size equal
 * to the declared one). A screenshot of the page must not be blank.
 *
 * <p>The check uses a copy of the report with one inline probe script appended, which writes each
 * image's {@code naturalWidth} into the DOM that {@code --dump-dom} prints; the report itself has no
 * script. Skipped only on a developer machine without {@code /usr/bin/chromium}; under CI
 * (environment {@code CI} set) a missing browser fails the test.
 */
class ReportInBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String PROBE = """
            <script>
            window.addEventListener('load', function () {
              var lines = ['rows ' + document.querySelectorAll('table.results tbody tr').length];
              document.querySelectorAll('img').forEach(function (img) {
                lines.push('img ' + img.className + ' ' + img.complete + ' ' + img.naturalWidth + ' '
                    + img.naturalHeight + ' ' + img.getAttribute('width') + ' ' + img.getAttribute('height'));
              });
              var pre = document.createElement('pre');
              pre.id = 'mlx-probe';
              pre.textContent = lines.join('\\n');
              document.body.appendChild(pre);
            });
            </script>
            """;
    private static final Pattern PROBE_OUT = Pattern.compile("<pre id=\"mlx-probe\">(.*?)</pre>", Pattern.DOTALL);

    @TempDir
    static Path tmp;
    static Path report;

    @BeforeAll
    static void tinyDemo() {
        if (!Files.isExecutable(CHROMIUM)) {
            String message = CHROMIUM + " is missing: install Debian's chromium package (apt-get install chromium,"
                    + " or run .ci/setup) to render report.html in a headless browser";
            if (System.getenv("CI") != null) {
                fail(message + " (required under CI)");
            }
            Assumptions.abort(message);
        }
        Path out = tmp.resolve("demo");
        CliRun r = CliRun.of(ReportHtmlTest.TINY, "demo", "--dataset", "tiny-decoy", "--methods", "erm,rrr",
                "--epochs", "2", "--dataset-param", "train-size=200", "--dataset-param", "test-size=80", "--out",
                out.toString(), "--plugins-dir", tmp.resolve("none").toString());
        assertEquals(0, r.exitCode(), r::toString);
        report = out.resolve("report.html");
    }

    @Test
    void chromiumShowsTheTableAndDecodesEveryImage() throws Exception {
        String html = Files.readString(report);
        Path harness = report.resolveSibling("report-probe.html");
        Files.writeString(harness, html.replace("</body>", PROBE + "</body>"), StandardCharsets.UTF_8);
        String dom = chromium(List.of("--virtual-time-budget=10000", "--dump-dom", harness.toUri().toString()));
        Matcher m = PROBE_OUT.matcher(dom);
        assertTrue(m.find(), "the probe ran in the browser; DOM:\n" + dom.substring(0, Math.min(dom.length(), 2000)));
        List<String> lines = m.group(1).lines().toList();
        assertEquals("rows 2", lines.get(0), "the results table shows erm and rrr");
        List<String> classes = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(" ");
            assertEquals("true", f[2], "the browser finished loading " + line);
            assertTrue(Integer.parseInt(f[3]) > 0, "the browser decoded " + line);
            assertEquals(f[5], f[3], "decoded width equals the declared width: " + line);
            assertEquals(f[6], f[4], "decoded height equals the declared height: " + line);
            classes.add(f[1]);
        }
        assertEquals(1, classes.stream().filter("accuracy"::equals).count(), classes::toString);
        assertEquals(4, classes.stream().filter("curve"::equals).count(), classes::toString);
        assertEquals(2 * TinyDecoyProvider.CLASSES, classes.stream().filter("saliency"::equals).count(),
                classes::toString);
    }

    @Test
    void aScreenshotOfTheReportIsNotBlank() throws Exception {
        Path png = report.resolveSibling("report.png");
        chromium(List.of("--window-size=1280,1600", "--hide-scrollbars", "--screenshot=" + png,
                report.toUri().toString()));
        BufferedImage shot = ImageIO.read(png.toFile());
        assertEquals(1280, shot.getWidth());
        Set<Integer> colours = new HashSet<>();
        long dark = 0;
        for (int y = 0; y < shot.getHeight(); y += 2) {
            for (int x = 0; x < shot.getWidth(); x += 2) {
                int rgb = shot.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                if ((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff) < 300) {
                    dark++;
                }
            }
        }
        assertTrue(colours.size() > 50, "text, table and charts give many colours: " + colours.size());
        assertTrue(dark > 1000, "text and chart lines are drawn: " + dark + " dark pixels");
    }

    /** Runs headless Chromium with the given arguments and returns its standard output. */
    static String chromium(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile")));
        command.addAll(args);
        Path stdout = Files.createTempFile(tmp, "chromium", ".out");
        Path stderr = Files.createTempFile(tmp, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + command + "\n" + Files.readString(stderr));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + command + "\n" + readQuietly(stderr));
        return Files.readString(stdout);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }
}
