package dev.mlx.vision.derm;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.vision.io.DatasetFolder;
import dev.mlx.vision.io.NpyArray;
import dev.mlx.vision.io.NpyReader;
import dev.mlx.vision.io.SourceDigest;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code decoy-derm} dataset (R4 paper's DecoyDERM; reference specification §9.2, recipe in
 * {@link DecoyDerm}) read from the MedMNIST v3 file the user provides: {@code <dir>/<file>}, by
 * default {@code dermamnist_64.npz} (Yang et al., "MedMNIST v2", Scientific Data 2023; download it
 * from zenodo record 10519652 or with {@code pip install medmnist} and
 * {@code DermaMNIST(split='train', size=64, download=True)}). The file holds the arrays
 * {@code train_images}, {@code val_images}, {@code test_images} ({@code [N, S, S, 3]} uint8) and
 * {@code train_labels}, {@code val_labels}, {@code test_labels} ({@code [N, 1]}).
 *
 * <p>Splits: MedMNIST's own. Training = {@code train} (7007), validation = {@code val} (1003) with
 * the swatch as at test time, test = {@code test} (2005); with {@code validation=false}, training =
 * {@code train} followed by {@code val}, as in the paper, and no validation split. Nothing is drawn
 * at random except the swatches.
 *
 * <p>Parameters: {@code dir} (required), {@code file}, {@code train-limit} and {@code test-limit}
 * (keep only the first N examples; 0 = all), {@code validation}. Construction does no work.
 */
public final class DecoyDermProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "decoy-derm";

    private static final Logger LOG = LoggerFactory.getLogger(DecoyDermProvider.class);
    private static final String HOW_TO_GET = "Put MedMNIST's dermamnist_64.npz (zenodo.org/records/10519652, or "
            + "pip install medmnist and DermaMNIST(split='train', size=64, download=True, root=DIR)) in that folder";
    private static final ParameterSchema SCHEMA = ParameterSchema.builder()
            .addString("dir", "", "folder holding the MedMNIST DermaMNIST .npz file (required)")
            .addString("file", "dermamnist_64.npz", "the .npz file name inside dir (64x64 is the paper's size)")
            .addInt("train-limit", 0, 0, Integer.MAX_VALUE, "use only the first N training images (0 = all)")
            .addInt("test-limit", 0, 0, Integer.MAX_VALUE, "use only the first N test images (0 = all)")
            .addBoolean("validation", true, "use MedMNIST's own val split (val_images) as the validation split, with"
                    + " the swatch as at test time (random colour); false: train on train_images and val_images")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Decoy-DERM (R4 paper): DermaMNIST nevus vs. other, a label-coloured corner swatch in training, "
                + "random in test; from the user's dermamnist_64.npz";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Path dir = DatasetFolder.require(NAME, params.getString("dir"), HOW_TO_GET);
        Path file = DatasetFolder.requireFile(NAME, dir.resolve(params.getString("file")), HOW_TO_GET);
        Map<String, NpyArray> arrays = NpyReader.readNpz(file);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom trainRng = root.split();
        SplittableRandom testRng = root.split();
        boolean validation = params.getBoolean("validation");
        NpyArray[] trainImages = validation ? new NpyArray[] {array(arrays, file, "train_images")}
                : new NpyArray[] {array(arrays, file, "train_images"), array(arrays, file, "val_images")};
        NpyArray[] trainLabels = validation ? new NpyArray[] {array(arrays, file, "train_labels")}
                : new NpyArray[] {array(arrays, file, "train_labels"), array(arrays, file, "val_labels")};
        var train = DecoyDerm.build(NAME + "/train", trainImages, trainLabels, params.getInt("train-limit"), trainRng,
                false);
        var test = DecoyDerm.build(NAME + "/test", new NpyArray[] {array(arrays, file, "test_images")},
                new NpyArray[] {array(arrays, file, "test_labels")}, params.getInt("test-limit"), testRng, true);
        String checksum = SourceDigest.ofFile(file);
        ExplanationDataset dataset = new ExplanationDataset(NAME, train, test, checksum);
        if (validation) {
            // MedMNIST's val split, never trained on, decoyed as the test split is (its own random stream).
            dataset = dataset.withValidation(DecoyDerm.build(NAME + "/validation",
                    new NpyArray[] {array(arrays, file, "val_images")}, new NpyArray[] {array(arrays, file, "val_labels")},
                    0, new SplittableRandom(ValidationSplit.decoySeed(seed)), true));
        }
        LOG.info("{}: {} training and {} test images of {}x{} from {}, seed {}, sha256 {}", NAME, train.size(),
                test.size(), train.exampleShape()[1], train.exampleShape()[2], file, seed, checksum);
        return dataset;
    }

    private static NpyArray array(Map<String, NpyArray> arrays, Path file, String key) {
        NpyArray a = arrays.get(key);
        if (a == null) {
            throw MlxException.userError(NAME + ": " + file + " has no array '" + key + "' (it has " + arrays.keySet()
                    + "); it is not a MedMNIST file, use MedMNIST's dermamnist_64.npz unchanged");
        }
        return a;
    }
}
