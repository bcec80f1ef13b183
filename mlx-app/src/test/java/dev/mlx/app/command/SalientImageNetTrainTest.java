package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.testing.CliRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Salient-ImageNet-style experiment end to end from a user folder, as docs/datasets.md
 * documents it: {@code mlx train -d salient-imagenet --dataset-param dir=...} with a small CNN
 * ({@code derma-cnn size=small}) and RRR, on generated 16x16 images of 3 classes whose spurious
 * feature (a class-coloured square in the top-left corner) is masked.
 */
class SalientImageNetTrainTest {
    private static final int S = 16;

    @TempDir
    Path tmp;

    private void writeLayout(Path dir) throws IOException {
        SplittableRandom rng = new SplittableRandom(4);
        String[] classes = {"n02033041", "n02114548", "n02174001"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < 8; i++) {
                BufferedImage img = new BufferedImage(S, S, BufferedImage.TYPE_INT_RGB);
                BufferedImage spurious = new BufferedImage(S, S, BufferedImage.TYPE_INT_RGB);
                BufferedImage core = new BufferedImage(S, S, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < S; y++) {
                    for (int x = 0; x < S; x++) {
                        boolean patch = x < 4 && y < 4;
                        boolean object = x >= 6 && x < 12 && y >= 6 && y < 12;
                        int grey = rng.nextInt(60);
                        int rgb = patch ? 0xFF << (8 * c) : object ? (80 + 60 * c) << 8 | grey : grey << 16 | grey;
                        img.setRGB(x, y, rgb);
                        spurious.setRGB(x, y, patch ? 0xFFFFFF : 0);
                        core.setRGB(x, y, object ? 0xFFFFFF : 0);
                    }
                }
                String name = "img" + i;
                write(img, dir.resolve("images").resolve(classes[c]).resolve(name + ".png"));
                write(spurious, dir.resolve("spurious_masks").resolve(classes[c]).resolve(name + ".png"));
                write(core, dir.resolve("core_masks").resolve(classes[c]).resolve(name + ".png"));
            }
        }
    }

    private static void write(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void trainsASmallCnnWithRrrFromTheUsersFolder() throws IOException {
        Path data = tmp.resolve("salient");
        writeLayout(data);
        Path out = tmp.resolve("run");
        CliRun run = CliRun.of("--cache-dir", tmp.resolve("cache").toString(), "train", "-d", "salient-imagenet",
                "--dataset-param", "dir=" + data, "--dataset-param", "size=16", "-m", "derma-cnn", "--model-param",
                "size=small", "-r", "rrr", "--epochs", "2", "--batch-size", "6", "--lr", "0.001", "-o", out.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("rrr on salient-imagenet"), run.out());
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode results = report.get("results");
        assertEquals(16, results.get("trainSize").asInt(),
                "75% of each class of 8 (6) x 3 classes, less the 2 validation images (10%, rounded)");
        assertEquals(2, results.get("validationSize").asInt());
        assertEquals(6, results.get("testSize").asInt());
        assertEquals(3, results.get("groupCount").size(), "groups = the 3 classes");
        double acc = results.get("testAccuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, "a test accuracy was measured: " + acc);
        assertTrue(Files.isRegularFile(out.resolve("model.params")));
        assertEquals(64, report.get("provenance").get("datasetChecksum").asText().length(),
                "the folder's SHA-256 is recorded");
    }
}
