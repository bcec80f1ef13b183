package dev.mlx.vision.isic;

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
import dev.mlx.vision.io.SourceDigest;
import dev.mlx.vision.io.SplitAssembler;
import dev.mlx.vision.io.StratifiedSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code isic} dataset: ISIC skin-lesion images in the folder layout of Rieger et al.
 * ("Interpretations are useful: penalizing explanations to align neural networks with prior
 * knowledge", ICML 2020), as the R4 paper uses it (reference specification §9.3):
 *
 * <pre>
 * DIR/processed/cancer/*.png|jpg                 label 1, group 0
 * DIR/processed/no_cancer/*.png|jpg              label 0, group 1
 * DIR/processed/patch_no_cancer_again/*.png|jpg  label 0, group 2 (benign, with a coloured patch)
 * DIR/segmentation/&lt;same file name&gt; or &lt;stem&gt;.png   the patch mask of each patch image (white = patch)
 * </pre>
 *
 * Images without a patch get an all-zero mask; a patch image's mask is 1 on the patch (the
 * spurious feature). Every image is resized bilinearly to {@code size x size} (299, the
 * reference's {@code Resize((299, 299))}) and its mask by nearest neighbour, 3 channels.
 *
 * <p><b>Split, drawn once.</b> One stratified split ({@link StratifiedSplit}, strata = the three
 * groups) from the {@code split-seed} parameter: {@code test-fraction} (default 0.2, the
 * reference's 80/20) of each group is the test set, the rest the training set. The two are
 * disjoint, unlike the reference notebook, which drew a new permutation for each dataset object
 * so that its test set overlapped about 80% with training (§9.3, §14 item 12). The split does not
 * depend on the run's seed, so restarts share one test set.
 *
 * <p>Parameters: {@code dir} (required), {@code size}, {@code test-fraction}, {@code split-seed}.
 */
public final class IsicProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "isic";
    /** The image folders under {@code processed/}, in concatenation order, with their label and group. */
    static final List<Folder> FOLDERS = List.of(new Folder("no_cancer", 0, 1), new Folder("cancer", 1, 0),
            new Folder("patch_no_cancer_again", 0, 2));

    /**
     * One image folder.
     *
     * @param name folder name under {@code processed/}
     * @param label its class
     * @param group its group
     */
    record Folder(String name, int label, int group) {}

    private static final Logger LOG = LoggerFactory.getLogger(IsicProvider.class);
    private static final String HOW_TO_GET = "Lay out the ISIC images as in Rieger et al. (github.com/laura-rieger/"
            + "deep-explanation-penalization, isic-archive.com): DIR/processed/{cancer,no_cancer,patch_no_cancer_again}"
            + "/ and the patch masks in DIR/segmentation/";
    private static final ParameterSchema SCHEMA = ValidationSplit.addFraction(ParameterSchema.builder()
            .addString("dir", "", "folder with processed/{cancer,no_cancer,patch_no_cancer_again} and segmentation/ "
                    + "(required)")
            .addInt("size", 299, 8, 4096, "images and masks are resized to size x size (the reference: 299)")
            .addDouble("test-fraction", 0.2, 0.01, 0.99, "fraction of each group held out for testing")
            .addInt("split-seed", 0, 0, Integer.MAX_VALUE, "seed of the one train/test split (independent of --seed)")
            , 0.1,
            "the training images (after the train/test split)")
            .build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ISIC skin lesions (Rieger et al. layout): cancer vs. benign, benign images with coloured patches "
                + "masked; one seeded stratified 80/20 split";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Path dir = DatasetFolder.require(NAME, params.getString("dir"), HOW_TO_GET);
        Path processed = DatasetFolder.requireFolder(NAME, dir.resolve("processed"), HOW_TO_GET);
        Path segmentation = dir.resolve("segmentation");
        int size = params.getInt("size");
        List<Path> images = new ArrayList<>();
        List<Path> masks = new ArrayList<>();
        List<Folder> folders = new ArrayList<>();
        for (Folder f : FOLDERS) {
            Path folder = DatasetFolder.requireFolder(NAME, processed.resolve(f.name()), HOW_TO_GET);
            for (Path image : ImageFiles.listImages(folder)) {
                images.add(image);
                folders.add(f);
                masks.add(f.group() == 2 ? patchMask(segmentation, image) : null);
            }
        }
        if (images.isEmpty()) {
            throw MlxException.userError(NAME + ": no PNG/JPEG images under " + processed + "; " + HOW_TO_GET);
        }
        int[] groups = folders.stream().mapToInt(Folder::group).toArray();
        boolean[] test = StratifiedSplit.testMembership(groups, params.getDouble("test-fraction"),
                params.getInt("split-seed"));
        int testCount = 0;
        for (boolean t : test) {
            testCount += t ? 1 : 0;
        }
        SplitAssembler train = new SplitAssembler(NAME + "/train", images.size() - testCount, 3, size);
        SplitAssembler held = new SplitAssembler(NAME + "/test", testCount, 3, size);
        SourceDigest digest = new SourceDigest(dir);
        for (int i = 0; i < images.size(); i++) {
            ImageMaskPair pair = ImageMaskPair.load(images.get(i), masks.get(i), size);
            digest.add(images.get(i));
            if (masks.get(i) != null) {
                digest.add(masks.get(i));
            }
            (test[i] ? held : train).add(pair.image(), pair.mask(), folders.get(i).label(), folders.get(i).group());
        }
        DataSplit trainSplit = train.build(2, 3);
        DataSplit testSplit = held.build(2, 3);
        String checksum = digest.hex();
        LOG.info("{}: {} training and {} test images at {}x{} from {}, split seed {}, sha256 {}", NAME,
                trainSplit.size(), testSplit.size(), size, size, dir, params.getInt("split-seed"), checksum);
        return ValidationSplit.carve(new ExplanationDataset(NAME, trainSplit, testSplit, checksum),
                params.getDouble(ValidationSplit.FRACTION));
    }

    private static Path patchMask(Path segmentation, Path image) {
        Path same = segmentation.resolve(image.getFileName().toString());
        if (Files.isRegularFile(same)) {
            return same;
        }
        Path png = segmentation.resolve(ImageFiles.stem(image) + ".png");
        if (Files.isRegularFile(png)) {
            return png;
        }
        throw MlxException.userError(NAME + ": patch image " + image + " has no mask; put its patch segmentation at "
                + same + " (or " + png + "), white on the patch, black elsewhere, the size of the image");
    }
}
