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
 * {@code tiny-decoy}: a small generated Decoy-MNIST look-alike for end-to-end tests. Images are
 * {@code 1x8x8}; class {@code c} of {@value #CLASSES} has a bright 2x2 block at a class-specific
 * place in the lower half (the real signal) plus noise. The top-left 2x2 corner is the decoy:
 * coloured by the label in training, by a random class in test. Masks are 1 on the decoy patch.
 * Groups are the labels. Fully determined by the seed.
 */
public final class TinyDecoyProvider implements DatasetProvider {
    public static final String NAME = "tiny-decoy";
    public static final int CLASSES = 4;
    public static final int SIDE = 8;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "generated 8x8 decoy data for tests";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addInt("train-size", 400, 1, 100_000, "training examples")
                .addInt("test-size", 200, 1, 100_000, "test examples")
                .build();
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Random random = new Random(seed);
        DataSplit train = split(NAME + "/train", params.getInt("train-size"), random, true);
        DataSplit test = split(NAME + "/test", params.getInt("test-size"), random, false);
        return new ExplanationDataset(NAME, train, test, checksum(train, test));
    }

    private static DataSplit split(String name, int n, Random random, boolean decoyFollowsLabel) {
        int f = SIDE * SIDE;
        float[] inputs = new float[n * f];
        float[] masks = new float[n * f];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            labels[i] = label;
            int base = i * f;
            for (int j = 0; j < f; j++) {
                inputs[base + j] = (float) (0.1 * random.nextDouble());
            }
            int row = 4 + 2 * (label / 2);
            int col = 2 + 3 * (label % 2);
            for (int r = row; r < row + 2; r++) {
                for (int c = col; c < col + 2; c++) {
                    inputs[base + r * SIDE + c] = 0.9f;
                }
            }
            int colour = decoyFollowsLabel ? label : random.nextInt(CLASSES);
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    inputs[base + r * SIDE + c] = (colour + 1) / (float) CLASSES;
                    masks[base + r * SIDE + c] = 1f;
                }
            }
        }
        return new DataSplit(name, new int[] {1, SIDE, SIDE}, inputs, masks, labels, labels.clone(), CLASSES, CLASSES);
    }

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
