package dev.mlx.vision.plant;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.vision.io.DatasetFolder;
import dev.mlx.vision.io.ImageFiles;
import dev.mlx.vision.io.ImageMaskPair;
import dev.mlx.vision.io.Raster;
import dev.mlx.vision.io.SourceDigest;
import dev.mlx.vision.io.SplitAssembler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code plant} dataset: the hyperspectral plant-phenotyping RGB images of Schramowski et al.
 * ("Making deep neural networks right for the right scientific reasons", Nature Machine
 * Intelligence 2020) as the R4 paper and {@code robust_mlx} use them (reference specification
 * §9.4). Layout:
 *
 * <pre>
 * DIR/rgb_data/&lt;first character of name&gt;/&lt;name&gt;.JPEG   the images (any PNG/JPEG extension)
 * DIR/masks/&lt;name&gt;.png                                  leaf masks: white = leaf, black = background
 * DIR/rgb_dataset_splits/train_&lt;k&gt;.txt, test_&lt;k&gt;.txt    one image name per line (k = 0..4)
 * </pre>
 *
 * The reference keeps the masks in a pickle ({@code preprocessed_masks.pyu}); export them to
 * PNGs once with the snippet in {@code docs/datasets.md}.
 *
 * <ul>
 *   <li><b>Images.</b> Brightness ×{@code brightness} (PIL {@code ImageEnhance.Brightness(2)}:
 *       {@code min(1, 2x)}), resized to {@code size x size} (213, the reference's size).
 *   <li><b>Labels.</b> From the name ({@link PlantLabels}): 0 = control, 1 = inoculated. Groups = labels.
 *   <li><b>Masks.</b> The leaf mask inverted: 1 = background = irrelevant, on all 3 channels.
 *   <li><b>Test set.</b> The background is replaced by the training images' per-channel mean:
 *       {@code x ← x ⊙ (1 − m) + mean_c ⊙ m}.
 *   <li><b>Soft masks</b> ({@code soft-mask-alpha} = α > 0; the reference used 0.7 for Cert-R4):
 *       training masks become {@code α·(I ⊙ m) + (1 − α)·m}, {@code I} = the mean training mask.
 *       Computed once into new arrays; the reference mutated shared masks so that the softening
 *       compounded across methods (§14 item 11), which is not copied.
 * </ul>
 *
 * <p>Split: the pre-made split files number {@code split} (the reference uses 2). A name in both
 * files is an error (it would leak test images into training).
 *
 * <p>Parameters: {@code dir} (required), {@code split}, {@code size}, {@code brightness},
 * {@code soft-mask-alpha}.
 */
public final class PlantProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "plant";

    private static final Logger LOG = LoggerFactory.getLogger(PlantProvider.class);
    private static final String HOW_TO_GET = "Put the plant-phenotyping data (Schramowski et al. 2020, via "
            + "github.com/vihari/robust_mlx) as DIR/rgb_data/<d>/<name>.JPEG, DIR/masks/<name>.png and "
            + "DIR/rgb_dataset_splits/{train,test}_<k>.txt";
    private static final ParameterSchema SCHEMA = ValidationSplit.addFraction(ParameterSchema.builder()
            .addString("dir", "", "folder with rgb_data/, masks/ and rgb_dataset_splits/ (required)")
            .addInt("split", 2, 0, 4, "which pre-made split (train_<k>.txt / test_<k>.txt); the reference uses 2")
            .addInt("size", 213, 8, 4096, "images and masks are resized to size x size (the reference: 213)")
            .addDouble("brightness", 2.0, 0.0, 10.0, "brightness factor applied to every image (the reference: 2)")
            .addDouble("soft-mask-alpha", 0.0, 0.0, 1.0,
                    "soften the training masks with the mean mask (0 = off; the reference's Cert-R4 used 0.7)")
            , 0.1,
            "the training images of the chosen split")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Plant phenotyping (Schramowski et al. 2020): control vs. inoculated leaves, background masked, test "
                + "background replaced by the training mean; pre-made splits";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Path dir = DatasetFolder.require(NAME, params.getString("dir"), HOW_TO_GET);
        int k = params.getInt("split");
        Path splits = DatasetFolder.requireFolder(NAME, dir.resolve("rgb_dataset_splits"), HOW_TO_GET);
        List<String> trainNames = names(DatasetFolder.requireFile(NAME, splits.resolve("train_" + k + ".txt"),
                HOW_TO_GET));
        List<String> testNames = names(DatasetFolder.requireFile(NAME, splits.resolve("test_" + k + ".txt"),
                HOW_TO_GET));
        Set<String> seen = new HashSet<>(trainNames);
        for (String t : testNames) {
            if (seen.contains(t)) {
                throw MlxException.userError(NAME + ": image '" + t + "' is listed in both train_" + k + ".txt and test_"
                        + k + ".txt; a split must not overlap (fix the split files)");
            }
        }
        int size = params.getInt("size");
        SourceDigest digest = new SourceDigest(dir);
        SplitAssembler train = fill(NAME + "/train", trainNames, dir, size, params.getDouble("brightness"), digest);
        SplitAssembler test = fill(NAME + "/test", testNames, dir, size, params.getDouble("brightness"), digest);
        float[] mean = channelMeans(train.inputs(), size);
        replaceBackground(test.inputs(), test.masks(), mean, size);
        double alpha = params.getDouble("soft-mask-alpha");
        if (alpha > 0) {
            soften(train.masks(), alpha, 3 * size * size);
        }
        DataSplit trainSplit = train.build(2, 2);
        DataSplit testSplit = test.build(2, 2);
        String checksum = digest.hex();
        LOG.info("{}: split {}, {} training and {} test images at {}x{}, soft-mask alpha {}, sha256 {}", NAME, k,
                trainSplit.size(), testSplit.size(), size, size, alpha, checksum);
        return ValidationSplit.carve(new ExplanationDataset(NAME, trainSplit, testSplit, checksum),
                params.getDouble(ValidationSplit.FRACTION));
    }

    private static SplitAssembler fill(String split, List<String> names, Path dir, int size, double brightness,
            SourceDigest digest) {
        SplitAssembler out = new SplitAssembler(split, names.size(), 3, size);
        for (String name : names) {
            int label = PlantLabels.label(name);
            Path image = image(dir, name);
            Path mask = DatasetFolder.requireFile(NAME, dir.resolve("masks").resolve(name + ".png"),
                    "every image needs its leaf mask (white = leaf) of the image's size; export it from "
                            + "preprocessed_masks.pyu");
            digest.add(image).add(mask);
            ImageMaskPair pair = ImageMaskPair.load(image, mask, size);
            float[] px = pair.image().values().clone();
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) Math.min(1.0, px[i] * brightness);
            }
            float[] background = pair.mask().values().clone();
            for (int i = 0; i < background.length; i++) {
                background[i] = 1f - background[i];
            }
            out.add(new Raster(3, size, size, px), new Raster(3, size, size, background), label, label);
        }
        return out;
    }

    private static Path image(Path dir, String name) {
        if (name.isEmpty()) {
            throw MlxException.userError(NAME + ": an empty line in a split file; remove it");
        }
        Path folder = dir.resolve("rgb_data").resolve(name.substring(0, 1));
        for (String ext : new String[] {".JPEG", ".jpeg", ".jpg", ".JPG", ".png", ".PNG"}) {
            Path p = folder.resolve(name + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw MlxException.userError(NAME + ": missing image " + folder.resolve(name + ".JPEG") + " listed in the split "
                + "files; put it there or remove the name from the split file (see docs/datasets.md)");
    }

    private static List<String> names(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the per-channel mean of {@code [n, 3, size, size]} images */
    static float[] channelMeans(float[] images, int size) {
        int plane = size * size;
        int n = images.length / (3 * plane);
        if (n == 0) {
            throw MlxException.userError(NAME + ": the training split is empty; the test background needs the "
                    + "training mean");
        }
        double[] sum = new double[3];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                int base = (i * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    sum[c] += images[base + p];
                }
            }
        }
        return new float[] {(float) (sum[0] / n / plane), (float) (sum[1] / n / plane), (float) (sum[2] / n / plane)};
    }

    /** {@code x ← x ⊙ (1 − m) + mean_c ⊙ m}, in place on the test arrays under construction. */
    static void replaceBackground(float[] images, float[] masks, float[] mean, int size) {
        int plane = size * size;
        for (int i = 0; i < images.length; i++) {
            int c = (i / plane) % 3;
            images[i] = images[i] * (1 - masks[i]) + mean[c] * masks[i];
        }
    }

    /** {@code m_i ← α·(I ⊙ m_i) + (1 − α)·m_i} with {@code I} the mean mask, in place on the new training masks. */
    static void soften(float[] masks, double alpha, int features) {
        int n = masks.length / features;
        double[] mean = new double[features];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                mean[f] += masks[i * features + f];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                int at = i * features + f;
                masks[at] = (float) (alpha * (mean[f] / n) * masks[at] + (1 - alpha) * masks[at]);
            }
        }
    }
}
