package dev.mlx.engine.eval;

import ai.djl.ndarray.NDManager;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.metric.EvaluationContext;
import dev.mlx.api.metric.MetricProvider;
import dev.mlx.api.metric.MetricResult;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hand-checkable fixture of the metric tests ({@link MetricsTest}, {@link ExplanationMetricsTest}):
 * linear models {@code z = W x + b} with given weights, whose input gradient, integrated gradients and
 * interval bounds have closed forms; splits built from Java arrays; and one metric evaluation on a
 * fresh sub-manager of the shared engine with seed {@value #SEED}.
 */
final class LinearFixture {
    /** The seed of every {@link #evaluate} call. */
    static final long SEED = 7;

    private LinearFixture() {}

    /**
     * @param w the weights, row-major {@code [out][in]}
     * @param b the biases {@code [out]}
     * @return {@code Linear(in, out)} (tensors {@code layer0.weight}, {@code layer0.bias}); close it
     */
    static Network linear(double[][] w, double[] b) {
        return network(List.of(), w, b);
    }

    /**
     * @param w the weights, row-major {@code [out][in]}
     * @param b the biases {@code [out]}
     * @return {@code Flatten -> Linear(in, out)} (the Flatten is the identity on {@code [batch, in]} inputs); close it
     */
    static Network flattenLinear(double[][] w, double[] b) {
        return network(List.of(new LayerSpec.Flatten()), w, b);
    }

    private static Network network(List<LayerSpec> before, double[][] w, double[] b) {
        int out = w.length;
        int in = w[0].length;
        float[] wf = new float[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wf[o * in + i] = (float) w[o][i];
            }
        }
        float[] bf = new float[out];
        for (int o = 0; o < out; o++) {
            bf[o] = (float) b[o];
        }
        List<LayerSpec> layers = new ArrayList<>(before);
        layers.add(new LayerSpec.Linear(in, out));
        String linear = "layer" + before.size();
        return SharedEngine.get().networks().create(new Architecture(layers), new int[] {in}, 0,
                Map.of(linear + ".weight", wf, linear + ".bias", bf));
    }

    /**
     * @param x the inputs {@code [n][features]}
     * @param m the masks {@code [n][features]}
     * @param labels the labels
     * @param groups the groups
     * @param classes the number of classes
     * @param numGroups the number of groups
     * @return the split {@code hand} of examples of shape {@code [features]}
     */
    static DataSplit split(double[][] x, double[][] m, int[] labels, int[] groups, int classes, int numGroups) {
        int n = labels.length;
        int f = x[0].length;
        float[] xs = new float[n * f];
        float[] ms = new float[n * f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                xs[i * f + j] = (float) x[i][j];
                ms[i * f + j] = (float) m[i][j];
            }
        }
        return new DataSplit("hand", new int[] {f}, xs, ms, labels, groups, classes, numGroups);
    }

    /**
     * @param provider the metric
     * @param params its raw parameters
     * @param net the model
     * @param data the split
     * @param batchSize examples per batch
     * @return the metric's result with seed {@value #SEED}
     */
    static MetricResult evaluate(MetricProvider provider, Map<String, String> params, Network net, DataSplit data,
            int batchSize) {
        try (NDManager manager = SharedEngine.get().manager().newSubManager()) {
            return provider.create(provider.parameters().bind(provider.name(), params))
                    .evaluate(net, data, new EvaluationContext(manager, batchSize, SEED));
        }
    }
}
