package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.train.Interval;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.engine.text.BertEncoder;
import dev.mlx.engine.text.BertPooling;
import java.util.ArrayList;
import java.util.List;

/**
 * The first layer of a text network: token ids {@code [B, L]} (float or integer, {@code padId} =
 * padding) through a {@link BertEncoder} to one pooled vector per sequence {@code [B, H]}. The
 * attention mask is {@code ids != padId}, in every forward pass. Interval bounds are not supported.
 */
final class TextEncoderLayer implements Layer {
    private final String description;
    private final BertEncoder encoder;
    private final BertPooling pooling;
    private final long padId;
    private final List<Parameter> parameters;

    TextEncoderLayer(String description, BertEncoder encoder, BertPooling pooling, long padId) {
        this.description = description;
        this.encoder = encoder;
        this.pooling = pooling;
        this.padId = padId;
        List<Parameter> ps = new ArrayList<>();
        encoder.parameters().forEach((name, array) -> ps.add(new Parameter(name, array, encoder.isLinearWeight(name))));
        this.parameters = List.copyOf(ps);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    BertEncoder encoder() {
        return encoder;
    }

    long padId() {
        return padId;
    }

    @Override
    public NDArray forward(NDArray ids) {
        if (ids.hasGradient()) {
            throw new UnsupportedCapabilityException("the inputs of a text model are token ids, which have no"
                    + " gradient; regularizers on text differentiate the token embeddings (use a token-* regularizer,"
                    + " e.g. token-rrr)");
        }
        return fromEmbeddings(ids, encoder.wordEmbeddings(checkIds(ids)));
    }

    /**
     * @param ids token ids {@code [B, L]} (for the attention mask)
     * @param words word embeddings {@code [B, L, H]}
     * @return the pooled vectors {@code [B, H]}
     */
    NDArray fromEmbeddings(NDArray ids, NDArray words) {
        NDArray attention = ids.neq(OwnedArrays.scalar(ids.getManager(), padId, ids.getDataType()))
                .toType(words.getDataType(), false);
        return encoder.pool(encoder.encode(words, attention), attention, pooling);
    }

    private NDArray checkIds(NDArray ids) {
        if (ids.getShape().dimension() != 2) {
            throw MlxException.userError("a text model takes token ids of shape [batch, length], got "
                    + ids.getShape());
        }
        NDArray asLong = ids.toType(DataType.INT64, false);
        long min = asLong.min().getLong();
        long max = asLong.max().getLong();
        if (min < 0 || max >= encoder.config().vocabSize()) {
            throw MlxException.userError("token ids must lie in [0, " + encoder.config().vocabSize() + "), found "
                    + (min < 0 ? min : max) + "; the dataset was tokenized with another vocabulary than the model's");
        }
        return asLong;
    }

    @Override
    public boolean supportsIntervals() {
        return false;
    }

    @Override
    public Interval forwardInterval(Interval input) {
        throw new UnsupportedCapabilityException("interval bounds are not supported through " + description);
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        throw new UnsupportedCapabilityException("interval bounds are not supported through " + description);
    }
}
