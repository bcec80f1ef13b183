package dev.mlx.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.app.config.ConfigReader.Format;
import dev.mlx.app.run.ConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON and YAML settings files bind to the same records with the same strict checks. */
class ConfigReaderTest {
    @TempDir
    Path tmp;

    /** A part of a file with several sections, as a sweep file has. */
    record Section(Integer epochs, List<Long> seeds) {}

    @Test
    void formatFollowsTheExtensionThenTheContent() {
        assertEquals(Format.YAML, Format.of(Path.of("a.yaml"), "{}"));
        assertEquals(Format.YAML, Format.of(Path.of("a.YML"), "{}"));
        assertEquals(Format.JSON, Format.of(Path.of("a.json"), "epochs: 3"));
        assertEquals(Format.JSON, Format.of(Path.of("run.conf"), "  \n{ \"epochs\": 3 }"));
        assertEquals(Format.YAML, Format.of(Path.of("run.conf"), "epochs: 3"));
    }

    @Test
    void yamlAndJsonGiveTheSameConfig() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("run.yaml"), """
                # Cert-R4 on a small Decoy-MNIST
                dataset: decoy-mnist
                datasetParams:
                  train-limit: 1000     # a number in YAML, a string in the record
                regularizer: cert-r4
                regularizerParams: {epsilon: 0.5}
                epochs: 2
                learningRate: 1e-3
                weightDecay: 0.0
                seed: 7
                """);
        Path json = Files.writeString(tmp.resolve("run.json"), """
                { "dataset": "decoy-mnist", "datasetParams": {"train-limit": "1000"}, "regularizer": "cert-r4",
                  "regularizerParams": {"epsilon": "0.5"}, "epochs": 2, "learningRate": 0.001, "weightDecay": 0,
                  "seed": 7 }
                """);
        ConfigFile fromYaml = ConfigFile.read(yaml);
        assertEquals(ConfigFile.read(json), fromYaml);
        assertEquals(Map.of("train-limit", "1000"), fromYaml.datasetParams());
        assertEquals(0.001, fromYaml.learningRate());
        assertEquals(7L, fromYaml.seed());
        assertNull(fromYaml.batchSize(), "absent keys stay absent");
    }

    @Test
    void aFileWithoutAKnownExtensionIsReadByItsContent() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("settings"), "epochs: 4\n");
        Path json = Files.writeString(tmp.resolve("settings.txt"), "{\"epochs\": 5}");
        assertEquals(4, ConfigFile.read(yaml).epochs());
        assertEquals(5, ConfigFile.read(json).epochs());
    }

    @Test
    void sectionsOfATreeBindWithTheirPathInMessages() throws IOException {
        Path file = Files.writeString(tmp.resolve("sweep.yaml"), """
                training: {epochs: 2, seeds: [0, 1, 2]}
                other: {epochs: 2, seed: 3}
                typed: {epochs: two}
                grid: {lr: [0.001, 0.01], epsilon: [0.5]}
                badGrid: {lr: 0.001}
                """);
        ConfigReader reader = ConfigReader.readTree(file, "sweep file");
        JsonNode root = reader.root();
        assertEquals(new Section(2, List.of(0L, 1L, 2L)),
                reader.bind(root.get("training"), "training", Section.class, List.of("epochs", "seeds")));
        MlxException unknown = assertThrows(MlxException.class,
                () -> reader.bind(root.get("other"), "other", Section.class, List.of("epochs", "seeds")));
        assertEquals(ErrorKind.USER, unknown.kind());
        assertEquals("sweep file " + file + ": unknown key \"other.seed\". Allowed keys in \"other\": epochs, seeds",
                unknown.getMessage());
        MlxException typed = assertThrows(MlxException.class,
                () -> reader.bind(root.get("typed"), "typed", Section.class, List.of("epochs", "seeds")));
        assertEquals("sweep file " + file + ": \"typed.epochs\" has the value 'two', which is not a whole number",
                typed.getMessage());
        TypeReference<Map<String, List<Double>>> grid = new TypeReference<>() {};
        assertEquals(Map.of("lr", List.of(0.001, 0.01), "epsilon", List.of(0.5)),
                reader.bind(root.get("grid"), "grid", grid, List.of("hyper-parameter names")));
        MlxException badGrid = assertThrows(MlxException.class,
                () -> reader.bind(root.get("badGrid"), "badGrid", grid, List.of("hyper-parameter names")));
        assertTrue(badGrid.getMessage().contains("\"badGrid.lr\"") && badGrid.getMessage().contains("a list"),
                badGrid.getMessage());
        MlxException notMap = assertThrows(MlxException.class,
                () -> reader.bind(root.get("training").get("seeds"), "training.seeds", Section.class, List.of("x")));
        assertTrue(notMap.getMessage().contains("\"training.seeds\" must be a mapping"), notMap.getMessage());
    }

    @Test
    void messagesAreOneLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("bad.json"), "{ \"epochs\": 3,\n\n \"seed\": }");
        MlxException e = assertThrows(MlxException.class, () -> ConfigFile.read(file));
        assertTrue(e.getMessage().startsWith("config file " + file + " is malformed (not valid JSON): "), e.getMessage());
        assertTrue(e.getMessage().contains("(line 3)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
