package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx explain} on a tiny trained run: the PNGs it writes, the examples it picks, and bad input. */
class ExplainCommandTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void train() {
        run = tmp.resolve("run");
        CliRun r = CliRun.of(ReportHtmlTest.TINY, "train", "-d", "tiny-decoy", "-r", "erm", "--epochs", "2",
                "--dataset-param", "train-size=120", "--dataset-param", "test-size=40", "--out", run.toString(),
                "--plugins-dir", tmp.resolve("none").toString());
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static CliRun explain(String... args) {
        String[] all = Stream.concat(Stream.of("explain", run.toString(), "--plugins-dir",
                tmp.resolve("none").toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.of(ReportHtmlTest.TINY, all);
    }

    @Test
    void writesOneFigurePerChosenExample() throws Exception {
        Path out = tmp.resolve("chosen");
        CliRun r = explain("--examples", "0,5,17", "-o", out.toString());
        assertEquals(0, r.exitCode(), r::toString);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("input-gradient-test-0.png", "input-gradient-test-17.png",
                    "input-gradient-test-5.png"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        BufferedImage figure = ImageIO.read(out.resolve("input-gradient-test-5.png").toFile());
        int panel = TinyDecoyProvider.SIDE * Math.round(168f / TinyDecoyProvider.SIDE);
        assertTrue(figure.getWidth() > 3 * panel && figure.getHeight() > panel,
                "three panels of " + panel + " px: " + figure.getWidth() + "x" + figure.getHeight());
        assertTrue(r.out().contains("test example 5: label 1,"), r.out());
        assertTrue(r.out().contains("3 saliency maps (input-gradient) written to " + out), r.out());
    }

    @Test
    void countPicksTheFirstExampleOfEachClassAndAnyMethodCanBeChosen() throws Exception {
        Path out = tmp.resolve("count");
        CliRun r = explain("--count", "3", "--split", "train", "--method", "smoothgrad", "--target", "prediction",
                "-o", out.toString());
        assertEquals(0, r.exitCode(), r::toString);
        for (int i = 0; i < 3; i++) {
            assertTrue(Files.isRegularFile(out.resolve("smoothgrad-train-" + i + ".png")), "example " + i);
            assertTrue(r.out().contains("train example " + i + ": label " + i + ","), r.out());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void theDefaultFolderIsInsideTheRun() {
        CliRun r = explain("--count", "1");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(Files.isRegularFile(run.resolve("explain").resolve("input-gradient-test-0.png")));
    }

    @Test
    void badInputStopsWithOneClearMessage() {
        assertMessage(explain("--method", "nope"), "unknown attribution method 'nope'");
        assertMessage(explain("--examples", "40"), "--examples 40 is not an example of tiny-decoy/test; choose"
                + " indices in 0..39");
        assertMessage(explain("--examples", "1", "--count", "2"), "give either --examples or --count, not both");
        assertMessage(explain("--count", "0"), "--count must be at least 1, got 0");
        assertMessage(explain("--split", "dev"), "--split dev is not a split; use test, train or validation");
        assertMessage(explain("--target", "both"), "--target both is not a target; use label or prediction");
        assertMessage(explain("--method", "smoothgrad", "-P", "bogus=1"), "bogus");
        CliRun missing = CliRun.of(ReportHtmlTest.TINY, "explain", tmp.resolve("absent").toString(),
                "--plugins-dir", tmp.resolve("none").toString());
        assertMessage(missing, "run folder " + tmp.resolve("absent") + " does not exist");
        assertFalse(Files.exists(tmp.resolve("absent")));
    }

    private static void assertMessage(CliRun r, String expected) {
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.singleError().contains(expected), r.singleError());
    }
}
