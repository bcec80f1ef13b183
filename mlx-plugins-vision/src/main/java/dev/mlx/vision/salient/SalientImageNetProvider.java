package dev.mlx.vision.salient;

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
import dev.mlx.vision.io.StratifiedSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code salient-imagenet} dataset: ImageNet images with per-image masks of their spurious
 * and of their core features, in the style of Salient ImageNet (Singla and Feizi, "Salient
 * ImageNet: How to discover spurious features in deep learning?", ICLR 2022) as the R4 paper uses
 * its 6 classes (reference specification §9.5). Layout:
 *
 * <pre>
 * DIR/images/&lt;class&gt;/&lt;name&gt;.JPEG|jpg|png      the images, one folder per class
 * DIR/spurious_masks/&lt;class&gt;/&lt;name&gt;.png        the image's spurious-feature mask (white = spurious)
 * DIR/core_masks/&lt;class&gt;/&lt;name&gt;.png            the image's core-feature mask (white = core)
 * DIR/classes.txt                                optional: class folder names in label order
 * </pre>
 *
 * Without {@code classes.txt} the labels follow the sorted class folder names. An image belongs
 * to the spurious set if it has a spurious mask and to the core set if it has a core mask (the
 * reference builds each mask as the pixelwise maximum of that image's MTurk feature maps,
 * {@code feature_<idx>/<img>.JPEG / 255}, over the spurious, resp. core, features; export them
 * once with the snippet in {@code docs/datasets.md}). An image with neither mask, or a mask
 * with no image, is an error.
 *
 * <ul>
 *   <li><b>Pixels.</b> Image and mask resized to {@code size x size} by the same transform (the
 *       reference resized the image but resized and centre-cropped the mask, so they were
 *       misaligned, §14 item 13); the image in {@code [0, 1]}, optionally normalised with the
 *       ImageNet mean and standard deviation ({@code normalize=imagenet}, for torchvision weights).
 *   <li><b>Split, drawn once per image.</b> One stratified split by class
 *       ({@link StratifiedSplit}, {@code split-seed} 42, {@code test-fraction} 0.25, the
 *       reference's 75/25), applied to images, so an image in both sets lands on the same side.
 *   <li><b>Training set</b> = the spurious-set images of the training side, with their spurious masks.
 *   <li><b>Test set</b> = the test side of the {@code test-set} parameter's set: {@code spurious}
 *       (default; the reference's "Avg Acc" set) with spurious masks, or {@code core} with core
 *       masks (for the core half of the RCS score, §8.4).
 *   <li><b>Groups</b> = labels.
 * </ul>
 *
 * <p>Parameters: {@code dir} (required), {@code size}, {@code test-set}, {@code test-fraction},
 * {@code split-seed}, {@code normalize}.
 */
public final class SalientImageNetProvider implements DatasetProvider {
    /** The provider name. */
    public static final String NAME = "salient-imagenet";
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private static final Logger LOG = LoggerFactory.getLogger(SalientImageNetProvider.class);
    private static final String HOW_TO_GET = "Put the images in DIR/images/<class>/ and their masks in "
            + "DIR/spurious_masks/<class>/<name>.png and DIR/core_masks/<class>/<name>.png (Salient ImageNet: "
            + "github.com/singlasahil14/salient_imagenet)";
    private static final ParameterSchema SCHEMA = ValidationSplit.addFraction(ParameterSchema.builder()
            .addString("dir", "", "folder with images/, spurious_masks/ and core_masks/ (required)")
            .addInt("size", 224, 8, 4096, "images and masks are resized to size x size (the reference: 224)")
            .addChoice("test-set", "spurious", List.of("spurious", "core"),
                    "which held-out images and masks form the test split")
            .addDouble("test-fraction", 0.25, 0.01, 0.99, "fraction of each class held out for testing")
            .addInt("split-seed", 42, 0, Integer.MAX_VALUE, "seed of the one train/test split (independent of --seed)")
            .addChoice("normalize", "none", List.of("none", "imagenet"),
                    "none: pixels in [0, 1]; imagenet: (x - mean) / std with the ImageNet statistics")
            , 0.1,
            "the training images (after the train/test split)")
            .build();

    /** One image and its masks. */
    private record Entry(Path image, int label, Path spurious, Path core) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Salient-ImageNet-style: ImageNet classes with per-image spurious and core masks; trains on the "
                + "spurious set, tests on the spurious or core set";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Path dir = DatasetFolder.require(NAME, params.getString("dir"), HOW_TO_GET);
        Path images = DatasetFolder.requireFolder(NAME, dir.resolve("images"), HOW_TO_GET);
        List<String> classes = classes(dir, images);
        List<Entry> entries = entries(dir, images, classes);
        int[] labels = entries.stream().mapToInt(Entry::label).toArray();
        boolean[] test = StratifiedSplit.testMembership(labels, params.getDouble("test-fraction"),
                params.getInt("split-seed"));
        boolean core = params.getString("test-set").equals("core");
        List<Integer> trainIdx = new ArrayList<>();
        List<Integer> testIdx = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!test[i] && e.spurious() != null) {
                trainIdx.add(i);
            } else if (test[i] && (core ? e.core() : e.spurious()) != null) {
                testIdx.add(i);
            }
        }
        if (trainIdx.isEmpty() || testIdx.isEmpty()) {
            throw MlxException.userError(NAME + ": the split leaves " + trainIdx.size() + " training images (with "
                    + "spurious masks) and " + testIdx.size() + " test images (with " + (core ? "core" : "spurious")
                    + " masks); add images with masks to every class");
        }
        int size = params.getInt("size");
        boolean normalize = params.getString("normalize").equals("imagenet");
        SourceDigest digest = new SourceDigest(dir);
        DataSplit train = split(NAME + "/train", entries, trainIdx, false, size, normalize, classes.size(), digest);
        DataSplit held = split(NAME + "/test-" + (core ? "core" : "spurious"), entries, testIdx, core, size, normalize,
                classes.size(), digest);
        String checksum = digest.hex();
        LOG.info("{}: {} classes, {} training (spurious) and {} test ({}) images at {}x{}, split seed {}, sha256 {}",
                NAME, classes.size(), train.size(), held.size(), core ? "core" : "spurious", size, size,
                params.getInt("split-seed"), checksum);
        return ValidationSplit.carve(new ExplanationDataset(NAME, train, held, checksum),
                params.getDouble(ValidationSplit.FRACTION));
    }

    private static DataSplit split(String name, List<Entry> entries, List<Integer> idx, boolean core, int size,
            boolean normalize, int numClasses, SourceDigest digest) {
        SplitAssembler out = new SplitAssembler(name, idx.size(), 3, size);
        for (int i : idx) {
            Entry e = entries.get(i);
            Path mask = core ? e.core() : e.spurious();
            digest.add(e.image()).add(mask);
            ImageMaskPair pair = ImageMaskPair.load(e.image(), mask, size);
            Raster image = normalize ? normalized(pair.image()) : pair.image();
            out.add(image, pair.mask(), e.label(), e.label());
        }
        return out.build(numClasses, numClasses);
    }

    private static Raster normalized(Raster r) {
        float[] v = r.values().clone();
        int plane = r.height() * r.width();
        for (int i = 0; i < v.length; i++) {
            int c = i / plane;
            v[i] = (v[i] - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
        }
        return new Raster(3, r.height(), r.width(), v);
    }

    private static List<String> classes(Path dir, Path images) {
        Path listed = dir.resolve("classes.txt");
        List<String> classes;
        try {
            if (Files.isRegularFile(listed)) {
                classes = Files.readAllLines(listed).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
                for (String c : classes) {
                    DatasetFolder.requireFolder(NAME, images.resolve(c), "classes.txt names class '" + c
                            + "'; create its image folder or remove the line");
                }
            } else {
                try (Stream<Path> s = Files.list(images)) {
                    classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
                }
            }
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + images + ": " + e.getMessage(), e);
        }
        if (classes.size() < 2) {
            throw MlxException.userError(NAME + ": found " + classes.size() + " class folder(s) under " + images
                    + "; a classification task needs at least 2 (one folder per class)");
        }
        return classes;
    }

    private static List<Entry> entries(Path dir, Path images, List<String> classes) {
        List<Entry> entries = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            String c = classes.get(label);
            Set<String> stems = new HashSet<>();
            for (Path image : ImageFiles.listImages(images.resolve(c))) {
                String stem = ImageFiles.stem(image);
                if (!stems.add(stem)) {
                    throw MlxException.userError(NAME + ": two images named '" + stem + "' in " + images.resolve(c)
                            + "; image names must be unique within a class");
                }
                Path spurious = optional(dir.resolve("spurious_masks").resolve(c).resolve(stem + ".png"));
                Path core = optional(dir.resolve("core_masks").resolve(c).resolve(stem + ".png"));
                if (spurious == null && core == null) {
                    throw MlxException.userError(NAME + ": image " + image + " has no mask; put its spurious mask at "
                            + dir.resolve("spurious_masks").resolve(c).resolve(stem + ".png") + " or its core mask at "
                            + dir.resolve("core_masks").resolve(c).resolve(stem + ".png") + " (or remove the image)");
                }
                entries.add(new Entry(image, label, spurious, core));
            }
            for (String kind : new String[] {"spurious_masks", "core_masks"}) {
                Path folder = dir.resolve(kind).resolve(c);
                if (Files.isDirectory(folder)) {
                    for (Path mask : ImageFiles.listImages(folder)) {
                        if (!stems.contains(ImageFiles.stem(mask))) {
                            throw MlxException.userError(NAME + ": mask " + mask + " has no image "
                                    + images.resolve(c).resolve(ImageFiles.stem(mask)) + ".*; add the image or remove "
                                    + "the mask");
                        }
                    }
                }
            }
        }
        return entries;
    }

    private static Path optional(Path p) {
        return Files.isRegularFile(p) ? p : null;
    }
}
