package dev.mlx.api.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The features on which a batch's masked quantities can be non-zero: columns of the per-example
 * arrays flattened to {@code [B, D]}, at least every column where the mask is non-zero for some
 * example. A penalty that reads a masked input gradient only through sums, maxima or norms over
 * features of terms that vanish where the mask does (RRR's squares, Cert-R4's absolute bounds) can
 * compute them on these {@code K} columns instead of all {@code D}: the other features add nothing.
 * Obtained from {@link Model#maskedColumns}; the masked input gradients of {@link Model} and
 * {@link IntervalPass} return {@code [B, K]} arrays for them.
 *
 * @param indices int64 indices of the columns, ascending and distinct, shape {@code [K]}; {@code null}
 *     for every column ({@code K = D})
 * @param features {@code D}, the number of features per example
 */
public record FeatureColumns(NDArray indices, long features) {
    public FeatureColumns {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (indices != null && indices.getShape().dimension() != 1) {
            throw new IllegalArgumentException("indices must be one-dimensional, got shape " + indices.getShape());
        }
    }

    /**
     * @param like a per-example array, shape {@code [B, ...example]}
     * @return every feature of {@code like}'s examples
     */
    public static FeatureColumns all(NDArray like) {
        Shape shape = like.getShape();
        return new FeatureColumns(null, shape.size() / shape.get(0));
    }

    /** @return {@code K}, the number of columns */
    public long count() {
        return indices == null ? features : indices.getShape().get(0);
    }

    /**
     * @param perExample an array of shape {@code [B, ...example]} with {@code D} features per example
     * @return its values on the columns, shape {@code [B, K]} (a reshape when the columns are all)
     * @throws IllegalArgumentException if the examples do not have {@code D} features
     */
    public NDArray select(NDArray perExample) {
        NDArray flat = flat(perExample);
        return indices == null ? flat : flat.get(new NDIndex(":, {}", indices));
    }

    private NDArray flat(NDArray perExample) {
        long b = perExample.getShape().get(0);
        if (perExample.size() != b * features) {
            throw new IllegalArgumentException("an array of shape " + perExample.getShape() + " does not have " + features
                    + " features per example");
        }
        return perExample.reshape(b, features);
    }

    /**
     * @param values values for the columns, {@code [B, K]}
     * @return {@code [B, D]}: {@code values} on the columns, zero on every other feature; differentiable
     *     with respect to {@code values}
     */
    public NDArray scatter(NDArray values) {
        long b = values.getShape().get(0);
        if (indices == null) {
            return values.reshape(b, features);
        }
        NDArray index = indices.expandDims(0).broadcast(new Shape(b, count()));
        return values.getManager().zeros(new Shape(b, features), values.getDataType()).scatter(index, values, 1);
    }

    /**
     * @param perExample an array of shape {@code [B, ...example]} with {@code D} features per example
     * @return {@code [B, D]}: {@code perExample} with zeros on the columns
     */
    public NDArray clear(NDArray perExample) {
        NDArray flat = flat(perExample);
        if (indices == null) {
            return flat.zerosLike();
        }
        NDArray keep = perExample.getManager().ones(new Shape(features), perExample.getDataType())
                .scatter(indices, perExample.getManager().zeros(new Shape(count()), perExample.getDataType()), 0);
        return flat.mul(keep);
    }

    /**
     * @param perExample an array of shape {@code [B, ...example]} with {@code D} features per example
     * @param values values for the columns, {@code [B, K]}
     * @return {@code perExample} with its columns set to {@code values}, same shape; differentiable
     *     with respect to both
     */
    public NDArray replace(NDArray perExample, NDArray values) {
        Shape shape = perExample.getShape();
        if (indices == null) {
            return values.reshape(shape);
        }
        return clear(perExample).add(scatter(values)).reshape(shape);
    }
}
