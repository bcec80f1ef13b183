package dev.mlx.app.testing;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * The frame of the generated test datasets ({@link TinyDecoyProvider}, {@link TinyTextProvider}): the
 * parameters {@code train-size}, {@code test-size} and {@code validation-size} (default 0: none), and a load that draws the training split and
 * then the test split from one {@code Random(seed)} (the decoy following the label in training, random
 * in test), so that the data are fully determined by the seed; the checksum covers the inputs and
 * labels of both splits. A subclass says only how one split is generated.
 */
public abstract class GeneratedDatasetProvider implements DatasetProvider {
    private final String name;
    private final String description;
    private final String unit;
    private final int minSize;
    private final int trainSize;
    private final int testSize;

    /**
     * @param name the plugin name (and the prefix of the split names)
     * @param description the plugin description
     * @param unit what an example is called in the parameter descriptions, e.g. {@code examples}
     * @param minSize the smallest {@code train-size} and {@code test-size} accepted
     * @param trainSize the default {@code train-size}
     * @param testSize the default {@code test-size}
     */
    protected GeneratedDatasetProvider(String name, String description, String unit, int minSize, int trainSize,
            int testSize) {
        this.name = name;
        this.description = description;
        this.unit = unit;
        this.minSize = minSize;
        this.trainSize = trainSize;
        this.testSize = testSize;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addInt("train-size", trainSize, minSize, 100_000, "training " + unit)
                .addInt("test-size", testSize, minSize, 100_000, "test " + unit)
                .addInt("validation-size", 0, 0, 100_000, "validation " + unit + ", drawn after both splits with the"
                        + " decoy as in test (0 = no validation split)")
                .build();
    }

    @Override
    public final ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Random random = new Random(seed);
        DataSplit train = split(name + "/train", params.getInt("train-size"), random, true);
        DataSplit test = split(name + "/test", params.getInt("test-size"), random, false);
        ExplanationDataset data = new ExplanationDataset(name, train, test, checksum(train, test));
        int validation = params.getInt("validation-size");
        return validation == 0 ? data : data.withValidation(split(name + "/validation", validation, random, false));
    }

    /**
     * @param splitName the split's name
     * @param n its number of examples
     * @param random the generator shared by both splits (the training split draws first)
     * @param decoyFollowsLabel whether the decoy encodes the label (training) or is random (test)
     * @return the split
     */
    protected abstract DataSplit split(String splitName, int n, Random random, boolean decoyFollowsLabel);

    /** @return the SHA-256 of the inputs and labels of both splits */
    public static String checksum(DataSplit train, DataSplit test) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (DataSplit s : new DataSplit[] {train, test}) {
                ByteBuffer b = ByteBuffer.allocate(4 * (s.inputs().length + s.labels().length));
                for (float v : s.inputs()) {
                    b.putFloat(v);
                }
                for (int v : s.labels()) {
                    b.putInt(v);
                }
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
