package dev.mlx.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Scalars;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A BERT encoder (Devlin et al., NAACL 2019; the post-LayerNorm transformer of Vaswani et al.,
 * NeurIPS 2017) written on engine operators, so that it fine-tunes and so that gradients with
 * respect to the word embeddings can themselves be differentiated (double backprop, as the
 * token-embedding regularizers need).
 *
 * <pre>
 * E0      = word_emb[ids]                                         ({@link #wordEmbeddings}, [B, L, H])
 * h       = LN(E0 + pos_emb[0..L) + type_emb[0])                  ({@link #encode} starts here)
 * per layer:
 *   Q,K,V = h W_q^T + b_q, ...  split into A heads of size d = H / A
 *   S     = Q K^T / sqrt(d) + (1 - a) * min_float                 (a = attention mask: 1 token, 0 padding)
 *   h     = LN(h + concat_heads(softmax(S) V) W_o^T + b_o)
 *   h     = LN(h + GELU(h W_1^T + b_1) W_2^T + b_2)               (GELU with erf)
 * </pre>
 *
 * LayerNorm uses the configured epsilon ({@code 1e-12}). Parameter names are HuggingFace's
 * ({@link BertParameters}), prefixed by the owner's prefix. Values come from a checkpoint where
 * given; the rest are initialised as in BERT ({@code N(0, 0.02)} weights and embeddings, zero
 * biases, unit LayerNorm scales) from a seeded Java generator.
 */
public final class BertEncoder {
    private static final double INIT_STD = 0.02;
    private final BertConfig config;
    private final String prefix;
    private final Map<String, NDArray> parameters;

    private BertEncoder(BertConfig config, String prefix, Map<String, NDArray> parameters) {
        this.config = config;
        this.prefix = prefix;
        this.parameters = parameters;
    }

    /**
     * Creates the parameters on {@code manager}.
     *
     * @param config the sizes
     * @param prefix prepended to every parameter name (e.g. {@code layer0.}); may be empty
     * @param weights checkpoint values by HuggingFace name; every given tensor must be a parameter of
     *     {@code config} with its shape (the pooler is created only when given)
     * @param manager owns the parameters
     * @param seed initialisation seed for the parameters not in {@code weights}
     * @param dataType {@code FLOAT32}, or {@code FLOAT64} for exact gradient tests
     * @return the encoder
     */
    public static BertEncoder create(BertConfig config, String prefix, Map<String, WeightTensor> weights,
            NDManager manager, long seed, DataType dataType) {
        Map<String, long[]> shapes = BertParameters.shapes(config);
        if (weights.containsKey(BertParameters.POOLER_WEIGHT)) {
            shapes = BertParameters.shapesWithPooler(config);
        }
        Map<String, long[]> accepted = BertParameters.shapesWithPooler(config);
        for (WeightTensor w : weights.values()) {
            long[] want = accepted.get(w.name());
            if (want == null || !Arrays.equals(want, w.shape()) || w.values().length != product(want)) {
                throw MlxException.userError("weight " + w + " does not fit " + config
                        + (want == null ? ": no such parameter" : ": expected shape " + Arrays.toString(want)));
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            Shape shape = new Shape(e.getValue());
            float[] values = init(name, Math.toIntExact(shape.size()), random);
            WeightTensor given = weights.get(name);
            if (given != null) {
                values = given.values();
            }
            NDArray array = OwnedArrays.of(manager, values, shape, dataType);
            array.setName(prefix + name);
            array.setRequiresGradient(true);
            params.put(name, array);
        }
        return new BertEncoder(config, prefix, params);
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static float[] init(String name, int size, SplittableRandom random) {
        float[] v = new float[size];
        if (name.contains("LayerNorm.weight")) {
            Arrays.fill(v, 1f);
        } else if (!name.endsWith(".bias")) {
            for (int i = 0; i < size; i++) {
                v[i] = (float) (random.nextGaussian() * INIT_STD);
            }
        }
        return v;
    }

    /** @return the sizes */
    public BertConfig config() {
        return config;
    }

    /** @return whether the pooler parameters exist (needed by {@link BertPooling#POOLER}) */
    public boolean hasPooler() {
        return parameters.containsKey(BertParameters.POOLER_WEIGHT);
    }

    /**
     * @return the parameters in HuggingFace order by their prefixed names (each array's name is
     *     the same); requiring gradients
     */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> named = new LinkedHashMap<>();
        parameters.forEach((name, array) -> named.put(prefix + name, array));
        return named;
    }

    /**
     * @param prefixedName a name from {@link #parameters()}
     * @return whether it is a Linear weight matrix (not an embedding table, bias or LayerNorm scale)
     */
    public boolean isLinearWeight(String prefixedName) {
        String name = prefixedName.substring(prefix.length());
        return name.endsWith(".weight") && !name.startsWith("embeddings.") && !name.contains("LayerNorm");
    }

    /** @return the word-embedding table {@code [V, H]} */
    public NDArray wordEmbeddingTable() {
        return p("embeddings.word_embeddings.weight");
    }

    /**
     * @param ids token ids {@code [B, L]} (any integer or float type holding integers)
     * @return the word embeddings {@code [B, L, H]}, differentiable with respect to the table
     */
    public NDArray wordEmbeddings(NDArray ids) {
        NDArray longIds = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        return Embedding.embedding(longIds, wordEmbeddingTable(), SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Runs the encoder from word embeddings (BERT's {@code inputs_embeds}): position and token-type
     * embeddings are added here.
     *
     * @param words word embeddings {@code [B, L, H]}
     * @param attentionMask {@code [B, L]}, 1 for tokens and 0 for padding
     * @return the last hidden states {@code [B, L, H]}
     */
    public NDArray encode(NDArray words, NDArray attentionMask) {
        Shape s = words.getShape();
        if (s.dimension() != 3 || s.get(2) != config.hidden()) {
            throw MlxException.userError("BERT input embeddings must have shape [batch, length, " + config.hidden()
                    + "], got " + s);
        }
        long b = s.get(0);
        long length = s.get(1);
        if (length > config.maxPositions()) {
            throw MlxException.userError("sequence length " + length + " exceeds the " + config.maxPositions()
                    + " positions of " + config + "; truncate the text (lower max-length)");
        }
        if (!attentionMask.getShape().equals(new Shape(b, length))) {
            throw MlxException.userError("attention mask shape " + attentionMask.getShape() + " does not match the"
                    + " token shape [" + b + ", " + length + "]");
        }
        NDArray positions = p("embeddings.position_embeddings.weight").get(new NDIndex("0:" + length));
        NDArray type = p("embeddings.token_type_embeddings.weight").get(0);
        NDArray h = layerNorm(words.add(positions).add(type), "embeddings.LayerNorm");
        NDArray bias = attentionBias(attentionMask, words.getDataType());
        for (int i = 0; i < config.layers(); i++) {
            h = layer(h, bias, "encoder.layer." + i + ".");
        }
        return h;
    }

    /**
     * @param hidden the last hidden states {@code [B, L, H]}
     * @param attentionMask {@code [B, L]}
     * @param pooling the pooling
     * @return one vector per sequence, {@code [B, H]}
     */
    public NDArray pool(NDArray hidden, NDArray attentionMask, BertPooling pooling) {
        switch (pooling) {
            case CLS:
                return hidden.get(new NDIndex(":, 0, :"));
            case POOLER:
                if (!hasPooler()) {
                    throw MlxException.userError("pooling=pooler needs the pooler weights, which this checkpoint lacks;"
                            + " use pooling=mean or pooling=cls");
                }
                return linear(hidden.get(new NDIndex(":, 0, :")), "pooler.dense").tanh();
            case MEAN:
            default:
                NDArray a = attentionMask.toType(hidden.getDataType(), false).expandDims(2);
                return hidden.mul(a).sum(new int[] {1}).div(Scalars.maximum(a.sum(new int[] {1}), 1));
        }
    }

    private NDArray layer(NDArray h, NDArray bias, String p) {
        Shape s = h.getShape();
        long b = s.get(0);
        long length = s.get(1);
        int heads = config.heads();
        int d = config.headSize();
        NDArray q = heads(linear(h, p + "attention.self.query"), b, length, heads, d);
        NDArray k = heads(linear(h, p + "attention.self.key"), b, length, heads, d);
        NDArray v = heads(linear(h, p + "attention.self.value"), b, length, heads, d);
        NDArray scores = Scalars.times(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(d)).add(bias);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, length, config.hidden());
        NDArray attended = layerNorm(h.add(linear(context, p + "attention.output.dense")),
                p + "attention.output.LayerNorm");
        NDArray ffn = linear(Activation.gelu(linear(attended, p + "intermediate.dense")), p + "output.dense");
        return layerNorm(attended.add(ffn), p + "output.LayerNorm");
    }

    private static NDArray heads(NDArray x, long b, long length, int heads, int d) {
        return x.reshape(b, length, heads, d).transpose(0, 2, 1, 3);
    }

    /** {@code (1 - a) * min_float}, shape {@code [B, 1, 1, L]}; data only, never differentiated. */
    private static NDArray attentionBias(NDArray attentionMask, DataType dataType) {
        NDArray a = attentionMask.toType(dataType, false);
        return Scalars.times(a.onesLike().sub(a), -Float.MAX_VALUE).expandDims(1).expandDims(1);
    }

    private NDArray linear(NDArray x, String name) {
        return Linear.linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.hidden()), p(name + ".weight"), p(name + ".bias"),
                (float) config.layerNormEps()).singletonOrThrow();
    }

    private NDArray p(String name) {
        NDArray parameter = parameters.get(name);
        if (parameter == null) {
            throw new IllegalStateException("no parameter " + prefix + name);
        }
        return parameter;
    }
}
