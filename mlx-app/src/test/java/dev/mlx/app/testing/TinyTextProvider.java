package dev.mlx.app.testing;

import dev.mlx.api.data.DataSplit;
import java.util.Random;

/**
 * {@code tiny-text}: generated Decoy-IMDB look-alike token sequences for end-to-end tests of the
 * text models, without the IMDB download. A row is {@code [CLS] decoy w1 .. wk [SEP] pad ..} of
 * bert-base-uncased ids ({@code [CLS]} 101, {@code [SEP]} 102, pad 0) and length {@value #LENGTH};
 * the words are drawn from a positive or a negative range by the label 80 % of the time (the real
 * signal), the decoy ({@code spielberg} 28740 / {@code jonah} 15617) follows the label in training
 * and is random in test, and the mask is 1 on the decoy position. Groups are the labels.
 */
public final class TinyTextProvider extends GeneratedDatasetProvider {
    public static final String NAME = "tiny-text";
    public static final int LENGTH = 12;

    public TinyTextProvider() {
        super(NAME, "generated decoy token sequences for tests", "sequences", 2, 64, 32);
    }

    @Override
    protected DataSplit split(String name, int n, Random random, boolean decoyFollowsLabel) {
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
