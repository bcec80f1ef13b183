package dev.mlx.text.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.mlx.api.error.UnsupportedCapabilityException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.param.HyperParameters;
import dev.mlx.api.train.Batch;
import dev.mlx.api.train.Regularizer;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.api.train.TokenEmbeddings;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.nn.Parameter;
import dev.mlx.engine.testkit.SharedEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenRegularizersTest {
    private static final MlxEngine ENGINE = SharedEngine.get();

    private static Network tinyBert(DataType type) {
        return ENGINE.networks().create(TinyText.bert(), new int[] {TinyText.LENGTH}, 3, Map.of(), type);
    }

    private static HyperParameters params(RegularizerProvider p, Map<String, String> values) {
        return p.parameters().bind(p.name(), values);
    }

    /** Value and gradient of the penalty with respect to every parameter. */
    private static double[] valueAndGradientNorm(Network net, Regularizer r, Batch batch, NDManager m) {
        for (Parameter p : net.parameters()) {
            p.array().setRequiresGradient(true);
        }
        double value;
        double norm = 0;
        boolean finite = true;
        try (GradientCollector collector = ENGINE.engine().newGradientCollector()) {
            NDArray penalty = r.penalty(net, batch, TinyText.context(m, 7));
            value = TinyText.scalar(penalty);
            collector.backward(penalty);
        }
        for (Parameter p : net.parameters()) {
            double[] g = p.array().getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            for (double v : g) {
                finite &= Double.isFinite(v);
                norm += v * v;
            }
        }
        return new double[] {value, Math.sqrt(norm), finite ? 1 : 0};
    }

    @Test
    void everyTokenRegularizerTrainsTheParametersAndIsFinite() {
        for (RegularizerProvider provider : List.of(new TokenRrrProvider(), new TokenSmoothRrrProvider(),
                new TokenRandR4Provider(), new TokenAdvR4Provider())) {
            try (Network net = tinyBert(DataType.FLOAT32); NDManager m = ENGINE.manager().newSubManager()) {
                Batch batch = TinyText.batch(m, 6, 1);
                double[] r = valueAndGradientNorm(net, provider.create(params(provider, Map.of())), batch, m);
                assertTrue(r[0] > 0 && Double.isFinite(r[0]), provider.name() + ": penalty " + r[0]);
                assertEquals(1, r[2], provider.name() + ": non-finite parameter gradient");
                assertTrue(r[1] > 0, provider.name() + ": the penalty has no parameter gradient");
            }
        }
    }

    @Test
    void withoutMaskedTokensEveryPenaltyIsZero() {
        for (RegularizerProvider provider : List.of(new TokenRrrProvider(), new TokenSmoothRrrProvider(),
                new TokenRandR4Provider(), new TokenAdvR4Provider())) {
            try (Network net = tinyBert(DataType.FLOAT32); NDManager m = ENGINE.manager().newSubManager()) {
                Batch b = TinyText.batch(m, 4, 2);
                Batch unmasked = new Batch(b.inputs(), b.labels(), b.masks().zerosLike());
                NDArray p = provider.create(params(provider, Map.of())).penalty(net, unmasked, TinyText.context(m, 1));
                assertEquals(0.0, TinyText.scalar(p), 0.0, provider.name());
            }
        }
    }

    @Test
    void tokenRrrParameterGradientMatchesFiniteDifferences() {
        TokenRrrProvider provider = new TokenRrrProvider();
        Regularizer r = provider.create(params(provider, Map.of("lambda", "3")));
        try (Network net = tinyBert(DataType.FLOAT64); NDManager m = ENGINE.manager().newSubManager()) {
            Batch batch = TinyText.batch(m, 3, 4);
            valueAndGradientNorm(net, r, batch, m);
            Map<String, double[]> gradients = new java.util.HashMap<>();
            for (Parameter p : net.parameters()) {
                gradients.put(p.name(), p.array().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
            int checked = 0;
            for (Parameter p : net.parameters()) {
                if (!(p.name().endsWith("attention.self.query.weight") || p.name().endsWith("output.dense.bias")
                        || p.name().equals("layer3.weight"))) {
                    continue;
                }
                NDArray theta = p.array();
                double[] values = theta.toDoubleArray();
                double[] analytic = gradients.get(p.name());
                for (int i = 0; i < values.length; i += Math.max(1, values.length / 5)) {
                    double fd = (valueAt(net, r, batch, m, theta, values, i, 1e-6)
                            - valueAt(net, r, batch, m, theta, values, i, -1e-6)) / 2e-6;
                    double err = Math.abs(fd - analytic[i]) / Math.max(1e-8, Math.abs(fd) + Math.abs(analytic[i]));
                    assertTrue(err < 1e-4, p.name() + "[" + i + "]: autograd " + analytic[i] + " vs FD " + fd);
                    checked++;
                }
            }
            assertTrue(checked >= 10, "checked " + checked);
        }
    }

    private static double valueAt(Network net, Regularizer r, Batch batch, NDManager m, NDArray theta, double[] values,
            int i, double h) {
        double[] shifted = values.clone();
        shifted[i] += h;
        theta.set(java.nio.DoubleBuffer.wrap(shifted));
        try (NDManager s = m.newSubManager()) {
            return TinyText.scalar(r.penalty(net, batch, TinyText.context(s, 7)));
        } finally {
            theta.set(java.nio.DoubleBuffer.wrap(values));
        }
    }

    @Test
    void aModelWithContinuousInputsIsRefusedWithAClearMessage() {
        Architecture mlp = new Architecture(List.of(new LayerSpec.Linear(TinyText.LENGTH, 2)));
        TokenRrrProvider provider = new TokenRrrProvider();
        try (Network net = ENGINE.networks().create(mlp, new int[] {TinyText.LENGTH}, 1);
                NDManager m = ENGINE.manager().newSubManager()) {
            Batch batch = TinyText.batch(m, 2, 1);
            UnsupportedCapabilityException e = assertThrows(UnsupportedCapabilityException.class,
                    () -> provider.create(params(provider, Map.of())).penalty(net, batch, TinyText.context(m, 1)));
            assertTrue(e.getMessage().contains("token"), e.getMessage());
        }
    }

    @Test
    void penaltiesRepeatUnderTheSameSeed() {
        for (RegularizerProvider provider : List.of(new TokenSmoothRrrProvider(), new TokenRandR4Provider(),
                new TokenAdvR4Provider())) {
            try (Network net = tinyBert(DataType.FLOAT64); NDManager m = ENGINE.manager().newSubManager()) {
                Batch batch = TinyText.batch(m, 4, 3);
                Regularizer r = provider.create(params(provider, Map.of()));
                double a = TinyText.scalar(r.penalty(net, batch, TinyText.context(m, 11)));
                double b = TinyText.scalar(r.penalty(net, batch, TinyText.context(m, 11)));
                assertEquals(a, b, 0.0, provider.name());
            }
        }
    }

    @Test
    void aTextModelRejectsIdsOutsideItsVocabularyAndContinuousRegularizers() {
        try (Network net = tinyBert(DataType.FLOAT32); NDManager m = ENGINE.manager().newSubManager()) {
            NDArray bad = m.create(new float[] {1, 2, TinyText.VOCAB + 5, 0}, new ai.djl.ndarray.types.Shape(1, 4));
            dev.mlx.api.error.MlxException e = assertThrows(dev.mlx.api.error.MlxException.class, () -> net.logits(bad));
            assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
            Batch batch = TinyText.batch(m, 2, 1);
            dev.mlx.engine.method.RrrProvider rrr = new dev.mlx.engine.method.RrrProvider();
            UnsupportedCapabilityException u = assertThrows(UnsupportedCapabilityException.class,
                    () -> rrr.create(rrr.parameters().defaults()).penalty(net, batch, TinyText.context(m, 1)));
            assertTrue(u.getMessage().contains("token-rrr"), u.getMessage());
        }
    }
}
