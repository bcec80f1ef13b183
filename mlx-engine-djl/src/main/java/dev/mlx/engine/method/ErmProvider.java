package dev.mlx.engine.method;

import ai.djl.ndarray.types.DataType;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;

/** Empirical risk minimisation: the task loss alone, no explanation term (the baseline). */
public final class ErmProvider implements RegularizerProvider {
    @Override
    public String name() {
        return "erm";
    }

    @Override
    public String description() {
        return "ERM baseline: cross-entropy only, masks unused";
    }

    @Override
    public boolean forAnyModel() {
        return true;
    }

    @Override
    public boolean usesMasks() {
        return false;
    }

    @Override
    public Regularizer create(HyperParameters params) {
        return (model, batch, context) -> OwnedArrays.scalar(context.manager(), 0, DataType.FLOAT32);
    }
}
