package dev.mlx.engine.attribution;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.attribution.AttributionMethod;
import dev.mlx.api.attribution.AttributionProvider;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.param.ParameterSchema;

/**
 * {@code input-gradient}: the saliency map of Simonyan, Vedaldi and Zisserman ("Deep Inside
 * Convolutional Networks", ICLR workshop 2014), the explanation RRR constrains (Ross et al., IJCAI
 * 2017), and optionally gradient times input (Shrikumar et al., 2017):
 *
 * <pre>
 * A(x)_i = dF/dx_i (x)                  (times-input = false, the default)
 * A(x)_i = x_i * dF/dx_i (x)            (times-input = true)
 * </pre>
 *
 * where {@code F} is the {@link AttributionTarget} ({@code target=logit}: {@code z_y(x)};
 * {@code target=cross-entropy}: {@code CE(z(x), y)}). For a linear model {@code z = Wx + b} and
 * {@code target=logit}, {@code A(x) = W[y]}. One forward and one backward pass per example; no
 * randomness. Differentiable with respect to the parameters: the gradient is taken with
 * create_graph ({@link dev.mlx.api.train.Model#inputGradient}).
 */
public final class InputGradientAttributionProvider implements AttributionProvider {
    @Override
    public String name() {
        return "input-gradient";
    }

    @Override
    public String description() {
        return "gradient of the class logit (or of the cross-entropy) w.r.t. the input; optionally gradient * input";
    }

    @Override
    public ParameterSchema parameters() {
        return AttributionTarget.declare(ParameterSchema.builder())
                .addBoolean("times-input", false, "multiply the gradient by the input (gradient * input)")
                .build();
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public AttributionMethod create(HyperParameters params) {
        AttributionTarget target = AttributionTarget.of(params.getString(AttributionTarget.PARAMETER));
        boolean timesInput = params.getBoolean("times-input");
        return (model, inputs, labels, seed) -> {
            AttributionInputs in = AttributionInputs.check(name(), inputs, labels);
            if (in.examples() == 0) {
                return inputs.zerosLike();
            }
            NDArray g = model.inputGradient(inputs, target.objective(in.labels(), in.largestLabel())).gradient();
            return timesInput ? g.mul(inputs) : g;
        };
    }
}
