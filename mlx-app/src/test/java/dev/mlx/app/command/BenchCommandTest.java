package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataSplit;
import dev.mlx.app.testing.CliRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mlx bench} on the papers' CNNs: rows per method, samples/s, cost relative to ERM, refusals. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    private CliRun bench(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--plugins-dir";
        all[1] = tmp.resolve("no-plugins").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    /** @return the cells of the table row of {@code method}, failing if there is none */
    private static String[] row(CliRun run, String method) {
        return run.out().lines().filter(l -> l.startsWith("| " + method + " |")).findFirst()
                .map(l -> l.substring(2, l.length() - 2).split(" \\| "))
                .orElseThrow(() -> new AssertionError("no row for " + method + "\n" + run));
    }

    @Test
    void benchesTheDermaCnnWithErmAndCertR4AndSkipsATokenMethodWithItsReason() {
        CliRun r = bench("bench", "--model", "derma-cnn", "--image-size", "16", "--examples", "8", "--batch-size", "4",
                "--repeats", "1", "--warmup", "0", "--methods", "erm,cert-r4,token-rrr");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("derma-cnn = Conv2d(3, 32, k=3, s=1, p=1)"), r::toString);
        assertTrue(r.out().contains("generated 3x16x16 images"), r::toString);
        assertTrue(r.out().contains("8 images per epoch, batch 4"), r::toString);
        String[] erm = row(r, "erm");
        String[] cert = row(r, "cert-r4");
        for (String[] cells : List.of(erm, cert)) {
            double seconds = Double.parseDouble(cells[1]);
            double samples = Double.parseDouble(cells[2]);
            assertTrue(seconds > 0 && samples > 0, String.join(" | ", cells));
            // the table rounds seconds to 3 decimals and samples/s to 1
            assertEquals(8 / seconds, samples, 0.06 + samples * 0.0006 / seconds, "samples/s = examples / s per epoch");
        }
        assertEquals("1.00x", erm[3], "ERM is the baseline of its own run");
        double ratio = Double.parseDouble(cert[3].replace("x", ""));
        double tCert = Double.parseDouble(cert[1]);
        double tErm = Double.parseDouble(erm[1]);
        assertEquals(tCert / tErm, ratio, 0.006 + ratio * (0.0006 / tCert + 0.0006 / tErm), "cost = t / t_erm");
        String[] token = row(r, "token-rrr");
        assertEquals("-", token[1]);
        assertTrue(token[3].startsWith("skipped: a token method"), String.join(" | ", token));
    }

    @Test
    void aSizeVariantIsChosenWithModelParam() {
        CliRun r = bench("bench", "-m", "derma-cnn", "--model-param", "size=small", "--image-size", "8", "--examples",
                "4", "--batch-size", "4", "--repeats", "1", "--warmup", "0", "--methods", "erm", "--channels", "1");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().contains("derma-cnn {size=small} = Conv2d(1, 32, k=4, s=1, p=1)"), r::toString);
        assertEquals("1.00x", row(r, "erm")[3]);
    }

    @Test
    void anIntervalMethodOnALayerTheBoundsDoNotSupportIsSkippedWithTheLayerNamed() {
        // ResNet-18's default batchnorm-mode=train normalises with batch statistics: no interval bounds in training
        CliRun r = bench("bench", "--model", "resnet18", "--image-size", "8", "--examples", "2", "--batch-size", "2",
                "--repeats", "1", "--warmup", "0", "--methods", "erm,cert-r4");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("1.00x", row(r, "erm")[3]);
        String[] cert = row(r, "cert-r4");
        assertTrue(cert[3].startsWith("skipped: ") && cert[3].contains("BatchNorm2d"), String.join(" | ", cert));
    }

    @Test
    void textModelsAndBadSizesAreRefusedWithOneMessage() {
        CliRun text = bench("bench", "--model", "bert-tiny", "--examples", "2", "--batch-size", "2", "--methods", "erm");
        assertEquals(2, text.exitCode(), text::toString);
        assertTrue(text.singleError().contains("bert-tiny"), text::toString);
        CliRun tooSmall = bench("bench", "--model", "derma-cnn", "--image-size", "2", "--examples", "2",
                "--batch-size", "2", "--methods", "erm");
        assertEquals(2, tooSmall.exitCode(), tooSmall::toString);
        assertTrue(tooSmall.singleError().contains("needs images of at least"), tooSmall::toString);
        CliRun unknown = bench("bench", "--model", "no-such-model");
        assertEquals(2, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.singleError().toLowerCase(Locale.ROOT).contains("no-such-model"), unknown::toString);
        for (String warmup : List.of("-1", "NaN")) {
            CliRun bad = bench("bench", "--model", "derma-cnn", "--image-size", "8", "--examples", "2", "--batch-size",
                    "2", "--methods", "erm", "--warmup", warmup);
            assertEquals(2, bad.exitCode(), bad::toString);
            assertTrue(bad.singleError().contains("--warmup"), bad::toString);
        }
    }

    @Test
    void generatedImagesAreSeededAndMaskTheDecoyPatchInEveryChannel() {
        DataSplit a = BenchImages.generate(4, 2, 8, 0);
        DataSplit b = BenchImages.generate(4, 2, 8, 0);
        assertArrayEquals(a.inputs(), b.inputs());
        assertArrayEquals(new int[] {2, 8, 8}, a.exampleShape());
        assertArrayEquals(new int[] {0, 1, 0, 1}, a.labels());
        for (int c = 0; c < 2; c++) {
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    float mask = a.masks()[128 + (c * 8 + h) * 8 + w];
                    assertEquals(h < 2 && w < 2 ? 1f : 0f, mask, "channel " + c + " pixel " + h + "," + w);
                }
            }
        }
        DataSplit cut = BenchWorkload.firstExamples(a, 3);
        assertEquals(3, cut.size());
        assertEquals(a.inputs()[3 * 128 - 1], cut.inputs()[3 * 128 - 1]);
    }
}
