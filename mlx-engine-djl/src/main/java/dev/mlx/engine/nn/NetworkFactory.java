package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.OwnedArrays;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import dev.mlx.engine.text.BertCheckpoints;
import dev.mlx.engine.text.BertConfig;
import dev.mlx.engine.text.BertEncoder;
import dev.mlx.engine.text.BertParameters;
import dev.mlx.engine.text.BertPooling;
import dev.mlx.engine.text.WeightTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds {@link Network}s from {@link Architecture}s. Parameters are initialised like PyTorch's
 * defaults for Linear and Conv2d ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} for weights and
 * biases), drawn from a Java {@link SplittableRandom} so the initialisation depends only on the seed;
 * BatchNorm2d starts as PyTorch's ({@code gamma = 1, beta = 0, running_mean = 0, running_var = 1,
 * num_batches_tracked = 0}) and each Dropout gets its own mask stream split off the seed.
 *
 * <p>Names: the tensors of top-level layer {@code i} are {@code layer<i>.<tensor>}; inside a
 * residual block {@code layer<i>.body.<j>.<tensor>} and {@code layer<i>.shortcut.<j>.<tensor>}.
 * Tensor names follow PyTorch: {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked}. The tensors of the first
 * {@link Architecture#frozenLayers()} layers are frozen (no gradient, not trained). When the
 * architecture names {@link Architecture#pretrained() pretrained weights}, they are read with
 * {@link TorchvisionWeights} for every tensor the given {@code values} do not already supply.
 */
public final class NetworkFactory {
    private final NDManager parent;
    private final TorchScriptGradHelper gradHelper;

    /**
     * @param parent the manager under which each network gets its own sub-manager
     * @param gradHelper the autograd helper used for input gradients
     */
    public NetworkFactory(NDManager parent, TorchScriptGradHelper gradHelper) {
        this.parent = parent;
        this.gradHelper = gradHelper;
    }

    /**
     * Builds a freshly initialised network and checks it accepts inputs of {@code exampleShape}.
     *
     * @param architecture the layers
     * @param exampleShape the shape of one input example
     * @param seed the initialisation seed
     * @return the network (close it when done)
     */
    public Network create(Architecture architecture, int[] exampleShape, long seed) {
        return create(architecture, exampleShape, seed, Map.of());
    }

    /**
     * Builds a network, taking parameter values from {@code values} (by parameter name) where
     * given and initialising the rest from {@code seed}.
     *
     * @param architecture the layers
     * @param exampleShape the shape of one input example
     * @param seed the initialisation seed
     * @param values parameter values by name (e.g. from a checkpoint); each must match the shape
     * @return the network (close it when done)
     */
    public Network create(Architecture architecture, int[] exampleShape, long seed, Map<String, float[]> values) {
        return create(architecture, exampleShape, seed, values, DataType.FLOAT32);
    }

    /**
     * As {@link #create(Architecture, int[], long, Map)} with parameters of the given type
     * ({@code FLOAT64} is for finite-difference and soundness tests).
     *
     * @param architecture the layers
     * @param exampleShape the shape of one input example
     * @param seed the initialisation seed
     * @param values parameter values by name
     * @param dataType {@code FLOAT32} or {@code FLOAT64}
     * @return the network (close it when done)
     */
    public Network create(Architecture architecture, int[] exampleShape, long seed, Map<String, float[]> values,
            DataType dataType) {
        Map<String, float[]> initial = architecture.pretrained() == null ? values
                : TorchvisionWeights.load(architecture, values);
        NDManager manager = parent.newSubManager();
        try {
            SplittableRandom random = new SplittableRandom(seed);
            NetworkMode mode = new NetworkMode();
            List<Layer> layers = new ArrayList<>();
            int index = 0;
            for (LayerSpec spec : architecture.layers()) {
                boolean frozen = index < architecture.frozenLayers();
                layers.add(new Builder(manager, random, initial, dataType, gradHelper, mode, frozen)
                        .layer(spec, layerPrefix(index++)));
            }
            Network network = new Network(architecture, layers, manager, gradHelper, mode);
            checkShapes(network, exampleShape, dataType);
            return network;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A text encoder: pretrained weights from {@code t.weights()}, overridden by {@code values} (a
     * checkpoint of a trained run, by prefixed name) where given.
     */
    private static Layer textEncoder(LayerSpec.TextEncoder t, String prefix, NDManager manager, long seed,
            Map<String, float[]> values, DataType dataType) {
        BertConfig config = new BertConfig(t.vocabSize(), t.hidden(), t.layers(), t.heads(), t.intermediate(),
                t.maxPositions(), 2, 1e-12);
        String names = prefix + ".";
        boolean restored = values.keySet().stream().anyMatch(k -> k.startsWith(names));
        Map<String, WeightTensor> weights = new LinkedHashMap<>(
                restored ? Map.of() : BertCheckpoints.load(t.weights(), config));
        if (restored) {
            BertParameters.shapesWithPooler(config).forEach((name, shape) -> {
                float[] v = values.get(names + name);
                if (v != null) {
                    weights.put(name, new WeightTensor(name, shape, v));
                }
            });
        }
        BertEncoder encoder = BertEncoder.create(config, names, weights, manager, seed, dataType);
        return new TextEncoderLayer(t.describe(), encoder, BertPooling.valueOf(t.pooling().toUpperCase(Locale.ROOT)),
                t.padId());
    }

    /** @return the name prefix of the tensors of top-level layer {@code index} */
    static String layerPrefix(int index) {
        return "layer" + index;
    }

    /** @return the name prefix of layer {@code j} of a residual block's body */
    static String bodyPrefix(String block, int j) {
        return block + ".body." + j;
    }

    /** @return the name prefix of layer {@code j} of a residual block's shortcut */
    static String shortcutPrefix(String block, int j) {
        return block + ".shortcut." + j;
    }

    /** Builds the layers of one top-level layer (recursively inside residual blocks). */
    private record Builder(NDManager manager, SplittableRandom random, Map<String, float[]> values, DataType dataType,
            TorchScriptGradHelper gradHelper, NetworkMode mode, boolean frozen) {

        Layer layer(LayerSpec spec, String prefix) {
            if (spec instanceof LayerSpec.Linear l) {
                return new LinearLayer(l.in(), l.out(),
                        param(prefix + ".weight", new Shape(l.out(), l.in()), l.in(), true),
                        param(prefix + ".bias", new Shape(l.out()), l.in(), false));
            }
            if (spec instanceof LayerSpec.Relu) {
                return new ReluLayer();
            }
            if (spec instanceof LayerSpec.Flatten) {
                return new FlattenLayer();
            }
            if (spec instanceof LayerSpec.Conv2d c) {
                int fanIn = c.inChannels() * c.kernel() * c.kernel();
                Parameter weight = param(prefix + ".weight",
                        new Shape(c.outChannels(), c.inChannels(), c.kernel(), c.kernel()), fanIn, true);
                Parameter bias = c.bias() ? param(prefix + ".bias", new Shape(c.outChannels()), fanIn, false) : null;
                return new Conv2dLayer(c.describe(), weight, bias, c.stride(), c.padding(), gradHelper);
            }
            if (spec instanceof LayerSpec.BatchNorm2d b) {
                Shape shape = new Shape(b.channels());
                return new BatchNorm2dLayer(b.channels(), b.eps(), b.momentum(), b.mode(),
                        constant(prefix + ".weight", shape, 1, !frozen),
                        constant(prefix + ".bias", shape, 0, !frozen),
                        constant(prefix + ".running_mean", shape, 0, false),
                        constant(prefix + ".running_var", shape, 1, false),
                        constant(prefix + ".num_batches_tracked", new Shape(), 0, false), mode);
            }
            if (spec instanceof LayerSpec.MaxPool2d p) {
                return new MaxPool2dLayer(p.kernel(), p.stride(), p.padding(), gradHelper);
            }
            if (spec instanceof LayerSpec.GlobalAvgPool2d) {
                return new GlobalAvgPool2dLayer();
            }
            if (spec instanceof LayerSpec.Dropout d) {
                return new DropoutLayer(d.probability(), random.nextLong(), mode);
            }
            if (spec instanceof LayerSpec.Residual r) {
                List<Layer> body = new ArrayList<>();
                for (int j = 0; j < r.body().size(); j++) {
                    body.add(layer(r.body().get(j), bodyPrefix(prefix, j)));
                }
                List<Layer> shortcut = new ArrayList<>();
                for (int j = 0; j < r.shortcut().size(); j++) {
                    shortcut.add(layer(r.shortcut().get(j), shortcutPrefix(prefix, j)));
                }
                return new ResidualLayer(body, shortcut);
            }
            if (spec instanceof LayerSpec.TextEncoder t) {
                return textEncoder(t, prefix, manager, random.nextLong(), values, dataType);
            }
            throw new IllegalStateException("unknown layer spec " + spec);
        }

        /** A parameter drawn from {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} unless {@code values} gives it. */
        private Parameter param(String name, Shape shape, int fanIn, boolean isWeight) {
            int size = Math.toIntExact(shape.size());
            float[] data = new float[size];
            double bound = 1.0 / Math.sqrt(fanIn);
            for (int i = 0; i < size; i++) {
                data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return tensor(name, shape, data, isWeight, !frozen);
        }

        /** A tensor filled with {@code value} unless {@code values} gives it; draws no random numbers. */
        private Parameter constant(String name, Shape shape, float value, boolean trainable) {
            float[] data = new float[Math.toIntExact(shape.size())];
            java.util.Arrays.fill(data, value);
            return tensor(name, shape, data, false, trainable);
        }

        private Parameter tensor(String name, Shape shape, float[] initial, boolean isWeight, boolean trainable) {
            float[] data = initial;
            float[] given = values.get(name);
            if (given != null) {
                if (given.length != data.length) {
                    throw MlxException.userError("parameter " + name + " has " + given.length
                            + " values but the model needs " + shape + " = " + data.length
                            + "; the checkpoint does not match this architecture");
                }
                data = given;
            }
            NDArray array = OwnedArrays.of(manager, data, shape, dataType);
            array.setName(name);
            array.setRequiresGradient(trainable);
            return new Parameter(name, array, isWeight, trainable);
        }
    }

    private static void checkShapes(Network network, int[] exampleShape, DataType dataType) {
        long[] dims = new long[exampleShape.length + 1];
        dims[0] = 1;
        for (int i = 0; i < exampleShape.length; i++) {
            dims[i + 1] = exampleShape[i];
        }
        try (NDManager probe = network.manager().newSubManager()) {
            NDArray out = network.logits(probe.zeros(new Shape(dims), dataType));
            if (out.getShape().dimension() != 2) {
                throw MlxException.userError("model " + network.architecture() + " produces outputs of shape "
                        + out.getShape() + " for inputs of shape " + Arrays.toString(exampleShape)
                        + "; it must produce [batch, classes] logits");
            }
        } catch (MlxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw MlxException.userError("model " + network.architecture() + " does not accept inputs of shape "
                    + Arrays.toString(exampleShape) + ": " + e.getMessage(), e);
        }
    }
}
