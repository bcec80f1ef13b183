package dev.mlx.app.testing;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.DatasetProvider;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import java.util.Random;

/**
 * {@code tiny-text}: generated Decoy-IMDB look-alike token sequences for end-to-end tests of the
 * text models, without the IMDB download. A row is {@code [CLS] decoy w1 .. wk [SEP] pad ..} of
 * bert-base-uncased ids ({@code [CLS]} 101, {@code [SEP]} 102, pad 0) and length {@value #LENGTH};
 * the words are drawn from a positive or a negative range by the label 80 % of the time (the real
 * signal), the decoy ({@code spielberg} 28740 / {@code jonah} 15617) follows the label in training
 * and is random in test, and the mask is 1 on the decoy position. Groups are the labels.
 */
public final class TinyTextProvider implements DatasetProvider {
    public static final String NAME = "tiny-text";
    public static final int LENGTH = 12;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "generated decoy token sequences for tests";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addInt("train-size", 64, 2, 100_000, "training sequences")
                .addInt("test-size", 32, 2, 100_000, "test sequences")
                .build();
    }

    @Override
    public ExplanationDataset load(HyperParameters params, long seed, DataContext context) {
        Random random = new Random(seed);
        DataSplit train = split(NAME + "/train", params.getInt("train-size"), random, true);
        DataSplit test = split(NAME + "/test", params.getInt("test-size"), random, false);
        return new ExplanationDataset(NAME, train, test, TinyDecoyProvider.checksum(train, test));
    }

    private static DataSplit split(String name, int n, Random random, boolean decoyFollowsLabel) {
        float[] inputs = new float[n * LENGTH];
        float[] masks = new float[n * LENGTH];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            labels[i] = label;
            int o = i * LENGTH;
            int decoy = decoyFollowsLabel ? label : random.nextInt(2);
            inputs[o] = 101;
            inputs[o + 1] = decoy == 1 ? 28740 : 15617;
            masks[o + 1] = 1;
            int words = 4 + random.nextInt(LENGTH - 6);
            for (int w = 0; w < words; w++) {
                int side = random.nextDouble() < 0.8 ? label : 1 - label;
                inputs[o + 2 + w] = 2000 + 500 * side + random.nextInt(50);
            }
            inputs[o + 2 + words] = 102;
        }
        return new DataSplit(name, new int[] {LENGTH}, inputs, masks, labels, labels.clone(), 2, 2);
    }
}
