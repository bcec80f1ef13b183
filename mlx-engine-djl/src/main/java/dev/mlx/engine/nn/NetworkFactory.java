package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.engine.autograd.TorchScriptGradHelper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds {@link Network}s from {@link Architecture}s. Parameters are initialised like PyTorch's
 * defaults for Linear and Conv2d ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} for weights and
 * biases), drawn from a Java {@link SplittableRandom} so the initialisation depends only on the seed.
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
        NDManager manager = parent.newSubManager();
        try {
            SplittableRandom random = new SplittableRandom(seed);
            List<Layer> layers = new ArrayList<>();
            int index = 0;
            for (LayerSpec spec : architecture.layers()) {
                layers.add(layer(spec, "layer" + index++, manager, random, values, dataType, gradHelper));
            }
            Network network = new Network(architecture, layers, manager, gradHelper);
            checkShapes(network, exampleShape, dataType);
            return network;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Layer layer(LayerSpec spec, String prefix, NDManager manager, SplittableRandom random,
            Map<String, float[]> values, DataType dataType, TorchScriptGradHelper gradHelper) {
        if (spec instanceof LayerSpec.Linear l) {
            return new LinearLayer(l.in(), l.out(),
                    param(manager, prefix + ".weight", new Shape(l.out(), l.in()), l.in(), true, random, values, dataType),
                    param(manager, prefix + ".bias", new Shape(l.out()), l.in(), false, random, values, dataType));
        }
        if (spec instanceof LayerSpec.Relu) {
            return new ReluLayer();
        }
        if (spec instanceof LayerSpec.Flatten) {
            return new FlattenLayer();
        }
        if (spec instanceof LayerSpec.Conv2d c) {
            int fanIn = c.inChannels() * c.kernel() * c.kernel();
            return new Conv2dLayer(c.describe(),
                    param(manager, prefix + ".weight", new Shape(c.outChannels(), c.inChannels(), c.kernel(), c.kernel()),
                            fanIn, true, random, values, dataType),
                    param(manager, prefix + ".bias", new Shape(c.outChannels()), fanIn, false, random, values, dataType),
                    c.stride(), c.padding(), gradHelper);
        }
        throw new IllegalStateException("unknown layer spec " + spec);
    }

    private static Parameter param(NDManager manager, String name, Shape shape, int fanIn, boolean isWeight,
            SplittableRandom random, Map<String, float[]> values, DataType dataType) {
        int size = Math.toIntExact(shape.size());
        float[] data = new float[size];
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < size; i++) {
            data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        float[] given = values.get(name);
        if (given != null) {
            if (given.length != size) {
                throw MlxException.userError("parameter " + name + " has " + given.length + " values but the model needs "
                        + shape + " = " + size + "; the checkpoint does not match this architecture");
            }
            data = given;
        }
        NDArray array = manager.create(data, shape).toType(dataType, false);
        array.setName(name);
        array.setRequiresGradient(true);
        return new Parameter(name, array, isWeight);
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
