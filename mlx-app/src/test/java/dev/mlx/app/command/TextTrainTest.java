package dev.mlx.app.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.app.testing.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlx train -d decoy-imdb -m bert-tiny -r adv-r4} end to end on a small generated
 * {@code aclImdb} folder (no network): the method name resolves to the token-model plugin
 * {@code token-adv-r4}, whose per-method defaults apply, and the run folder's config repeats the run.
 */
class TextTrainTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] POSITIVE = {"a wonderful film with great acting", "i loved the story and the music",
        "brilliant direction and a superb cast", "the best movie of the year", "funny touching and beautifully shot",
        "an excellent script and fine performances", "a delightful and moving picture", "great fun from start to end"};
    private static final String[] NEGATIVE = {"a terrible film with awful acting", "i hated the story and the music",
        "boring direction and a weak cast", "the worst movie of the year", "dull tedious and badly shot",
        "a poor script and bad performances", "a dreadful and empty picture", "a waste of time from start to end"};

    @TempDir
    static Path tmp;

    private static Path acl;

    @BeforeAll
    static void writeAclImdb() throws IOException {
        acl = tmp.resolve("aclImdb");
        for (String split : List.of("train", "test")) {
            for (String label : List.of("pos", "neg")) {
                Path dir = Files.createDirectories(acl.resolve(split).resolve(label));
                String[] texts = label.equals("pos") ? POSITIVE : NEGATIVE;
                for (int i = 0; i < texts.length; i++) {
                    Files.writeString(dir.resolve(i + "_" + (label.equals("pos") ? 8 : 2) + ".txt"), texts[i],
                            StandardCharsets.UTF_8);
                }
            }
        }
    }

    private static CliRun mlx(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--plugins-dir", tmp.resolve("no-plugins").toString(),
                "--cache-dir", tmp.resolve("cache").toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void advR4OnATextModelRunsTokenAdvR4WithItsDefaultsAndTheConfigRepeatsTheRun() throws IOException {
        Path run = tmp.resolve("run");
        CliRun first = mlx("train", "-d", "decoy-imdb", "-m", "bert-tiny", "-r", "adv-r4",
                "--dataset-param", "source=folder", "--dataset-param", "dir=" + acl,
                "--dataset-param", "train-size=16", "--dataset-param", "test-size=8",
                "--dataset-param", "validation-fraction=0", // the folder has 16 training reviews, all trained on
                "--dataset-param", "max-length=16", "--model-param", "hidden=16", "--model-param", "heads=2",
                "--model-param", "layers=1", "-p", "candidates=3", "--out", run.toString());
        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(first.out().startsWith("token-adv-r4 on decoy-imdb: Avg Acc"), first.out());
        JsonNode config = JSON.readTree(run.resolve("config.json").toFile());
        assertEquals("token-adv-r4", config.get("regularizer").asText(), "the config records the plugin that ran");
        assertEquals("3", config.get("regularizerParams").get("candidates").asText());
        assertEquals("gradient", config.get("regularizerParams").get("selection").asText());
        assertEquals(1, config.get("epochs").asInt(), "token-adv-r4's decoy-imdb defaults: 1 epoch");
        assertEquals(16, config.get("batchSize").asInt(), "token-adv-r4's decoy-imdb defaults: batch 16");
        JsonNode report = JSON.readTree(run.resolve("report.json").toFile());
        assertTrue(report.toString().contains("token-adv-r4"), "the report names the plugin");
        String[] epoch1 = Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",");
        assertTrue(Double.parseDouble(epoch1[2]) > 0, "the penalty acts: " + String.join(",", epoch1));

        Path again = tmp.resolve("again");
        CliRun second = mlx("train", "--config", run.resolve("config.json").toString(), "--out", again.toString());
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.out().startsWith("token-adv-r4 on decoy-imdb: Avg Acc"), second.out());
        assertEquals(Files.readString(run.resolve("metrics.csv")).lines().map(TextTrainTest::withoutTimes).toList(),
                Files.readString(again.resolve("metrics.csv")).lines().map(TextTrainTest::withoutTimes).toList());
    }

    /** A metrics.csv line without its last column, the seconds. */
    private static String withoutTimes(String line) {
        return line.substring(0, line.lastIndexOf(','));
    }

    @Test
    void compareResolvesEveryMethodForTheTextModel() throws IOException {
        Path out = tmp.resolve("compare");
        CliRun run = mlx("compare", "-d", "decoy-imdb", "-m", "bert-tiny", "--methods", "erm,adv-r4", "--epochs", "1",
                "--dataset-param", "source=folder", "--dataset-param", "dir=" + acl,
                "--dataset-param", "train-size=8", "--dataset-param", "test-size=4",
                "--dataset-param", "max-length=12", "--out", out.toString());
        assertEquals(0, run.exitCode(), run::toString);
        List<String> methods = new ArrayList<>();
        JSON.readTree(out.resolve("comparison.json").toFile()).get("runs").forEach(r -> methods.add(r.get("method")
                .asText()));
        assertEquals(List.of("erm", "token-adv-r4"), methods);
        assertTrue(Files.isRegularFile(out.resolve("token-adv-r4").resolve("config.json")));
    }

    @Test
    void minilmRefusesADatasetTokenisedWithAnotherVocabularyBeforeAnyWork() throws IOException {
        Path cased = tmp.resolve("cased-tokenizer.json");
        try (var in = TextTrainTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.writeString(cased, new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replaceFirst("\"the\":", "\"The\":"));
        }
        CliRun run = mlx("train", "-d", "decoy-imdb", "-m", "minilm", "-r", "erm",
                "--dataset-param", "source=folder", "--dataset-param", "dir=" + acl,
                "--dataset-param", "train-size=8", "--dataset-param", "test-size=4",
                "--dataset-param", "tokenizer=" + cased, "--out", tmp.resolve("refused").toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.singleError().contains("another vocabulary than minilm's"), run::toString);
        assertTrue(!Files.exists(tmp.resolve("refused")), "nothing written");
    }

    @Test
    void aMethodWithoutTokenCounterpartStopsBeforeAnyWork() {
        CliRun run = mlx("train", "-d", "decoy-imdb", "-m", "bert-tiny", "-r", "corm",
                "--dataset-param", "source=folder", "--dataset-param", "dir=" + acl, "--out",
                tmp.resolve("never").toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.singleError().contains("no token-model counterpart"), run::toString);
        assertTrue(!Files.exists(tmp.resolve("never")), "nothing written");
    }

    @Test
    void pluginsShowsTheTokenModelNames() {
        CliRun run = mlx("plugins");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("regularizer names on token models (bert, bert-tiny, minilm)"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.trim().matches("adv-r4\\s+-> token-adv-r4")), run.out());
    }
}
