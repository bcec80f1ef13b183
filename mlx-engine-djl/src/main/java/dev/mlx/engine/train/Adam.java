package dev.mlx.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mlx.engine.autograd.FusedAdamScript;
import dev.mlx.engine.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with PyTorch's
 * semantics, including its coupled L2 weight decay:
 *
 * <pre>
 * g  = grad + wd * theta
 * m  = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
 * theta -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * <p>Order of use: after the backward pass of a step call {@link #step()} once; it updates the
 * parameters in place and zeroes their gradients. Moment buffers live on the parameters' manager.
 *
 * <p>The update runs as one call into libtorch's fused Adam kernel ({@link FusedAdamScript}), one
 * pass over each tensor; the element-wise form below it is the fallback (and, with
 * {@code -Dmlx.adam.unfused=true}, the baseline of the benchmark). Both agree to float rounding
 * ({@code AdamTest}).
 */
public final class Adam {
    private final List<Parameter> parameters;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    /** The one-call update over every parameter, when this libtorch compiles it (it does: 2.7.1). */
    private final Optional<FusedAdamScript> fused;
    private long t;

    /**
     * @param parameters the parameters to update
     * @param learningRate the step size
     * @param weightDecay the coupled L2 coefficient (biases included, as in PyTorch)
     */
    public Adam(List<Parameter> parameters, double learningRate, double weightDecay) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8, weightDecay);
    }

    public Adam(List<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon,
            double weightDecay) {
        this(parameters, learningRate, beta1, beta2, epsilon, weightDecay,
                Boolean.getBoolean("mlx.adam.unfused") ? Optional.empty() : FusedAdamScript.shared());
    }

    /** As above, with the fused update given (empty: element-wise); for tests of both forms. */
    Adam(List<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon,
            double weightDecay, Optional<FusedAdamScript> fused) {
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.fused = fused;
        for (Parameter p : parameters) {
            NDArray m = p.array().zerosLike();
            NDArray v = p.array().zerosLike();
            NDScope.unregister(m, v);
            firstMoments.add(m);
            secondMoments.add(v);
        }
    }

    /** Applies one update from the accumulated gradients and zeroes them. */
    public void step() {
        t++;
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (learningRate / bias1);
        float bias2Sqrt = (float) Math.sqrt(bias2);
        if (fused.isPresent()) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning(); // frees the gradient handles on close
                List<NDArray> params = parameters.stream().map(Parameter::array).toList();
                List<NDArray> grads = params.stream().map(NDArray::getGradient).toList();
                fused.get().step(params, grads, firstMoments, secondMoments, t, learningRate, beta1, beta2,
                        weightDecay, epsilon);
            }
            return;
        }
        for (int i = 0; i < parameters.size(); i++) {
            NDArray theta = parameters.get(i).array();
            NDArray m = firstMoments.get(i);
            NDArray v = secondMoments.get(i);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning(); // DJL's idiom: the scope frees the update's temporaries on close
                NDArray g = theta.getGradient();
                if (weightDecay != 0) {
                    g = g.add(theta.mul((float) weightDecay));
                }
                m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray denominator = v.sqrt().divi(bias2Sqrt).addi((float) epsilon);
                theta.subi(m.div(denominator).muli(stepSize));
                JniUtils.zeroGrad((PtNDArray) theta);
            }
        }
    }

    /**
     * @return the optimiser's state for a checkpoint: the step count and both moment buffers by
     *     parameter name (float32 values)
     */
    public TrainingState.Moments moments() {
        java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
        java.util.Map<String, float[]> v = new java.util.LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            m.put(parameters.get(i).name(), floats(firstMoments.get(i)));
            v.put(parameters.get(i).name(), floats(secondMoments.get(i)));
        }
        return new TrainingState.Moments(t, m, v);
    }

    /**
     * Continues from a checkpoint: sets the step count and replaces both moment buffers with
     * engine-owned copies of the saved values.
     *
     * @param saved the state {@link #moments()} returned
     * @throws IllegalArgumentException if a parameter is missing or has another size
     */
    public void restore(TrainingState.Moments saved) {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            firstMoments.set(i, replace(firstMoments.get(i), saved.first().get(p.name()), p.name()));
            secondMoments.set(i, replace(secondMoments.get(i), saved.second().get(p.name()), p.name()));
        }
        t = saved.steps();
    }

    private static NDArray replace(NDArray old, float[] values, String name) {
        if (values == null || values.length != old.size()) {
            throw new IllegalArgumentException("the checkpoint's Adam state does not match parameter " + name);
        }
        NDArray fresh = dev.mlx.api.train.OwnedArrays.of(old.getManager(), values, old.getShape(), old.getDataType());
        NDScope.unregister(fresh);
        old.close();
        return fresh;
    }

    private static float[] floats(NDArray a) {
        if (a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray f = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
            return f.toFloatArray();
        }
    }

    /** @return the number of steps taken */
    public long steps() {
        return t;
    }
}
