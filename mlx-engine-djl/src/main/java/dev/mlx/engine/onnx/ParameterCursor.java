package dev.mlx.engine.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.engine.nn.Parameter;
import java.util.Arrays;
import java.util.List;

/**
 * Hands out a network's parameters in order while its layers are translated: a {@link
 * dev.mlx.engine.nn.Network} lists its parameters layer by layer, in the order of the
 * architecture, so the translator of a layer takes the next ones. Each is checked against the
 * name ({@code <layer path>.<role>}, as {@link dev.mlx.engine.nn.NetworkFactory} names them) and
 * the shape the layer specification implies; a
 * mismatch is an internal error, since the network was built from that same specification.
 */
final class ParameterCursor {
    private final List<Parameter> parameters;
    private int next;

    ParameterCursor(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    /**
     * @param layer the path of the layer being translated, e.g. {@code layer4.body.0}
     * @param role the parameter's role, the last component of its name (e.g. {@code bias})
     * @param shape its expected shape
     * @return the next parameter, which must be named {@code layer.role}, as an initializer of that name
     */
    OnnxInitializer take(String layer, String role, long... shape) {
        Parameter p = next(layer, role, shape);
        return new OnnxInitializer(p.name(), shape, floats(p.array()));
    }

    /**
     * Passes over the next parameter, which the exported graph does not need (such as a batch
     * normalisation's {@code num_batches_tracked}), checking it is the expected one.
     *
     * @param layer the path of the layer being translated
     * @param role the parameter's role
     * @param shape its expected shape
     */
    void skip(String layer, String role, long... shape) {
        next(layer, role, shape);
    }

    private Parameter next(String layer, String role, long[] shape) {
        String expected = layer + "." + role;
        if (next >= parameters.size()) {
            throw inconsistent(layer + " needs the parameter " + expected + " but the network has only "
                    + parameters.size() + " parameters");
        }
        Parameter p = parameters.get(next++);
        long[] actual = p.array().getShape().getShape();
        if (!p.name().equals(expected) || !Arrays.equals(actual, shape)) {
            throw inconsistent(layer + " expects " + expected + " of shape " + Arrays.toString(shape)
                    + " but the next parameter is " + p.name() + " of shape " + Arrays.toString(actual));
        }
        return p;
    }

    /** Checks every parameter was used by some layer. */
    void finish() {
        if (next != parameters.size()) {
            throw inconsistent("the layers used " + next + " of the network's " + parameters.size()
                    + " parameters; the first unused one is " + parameters.get(next).name());
        }
    }

    private static float[] floats(NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        double[] d = array.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static MlxException inconsistent(String message) {
        return new MlxException(ErrorKind.INTERNAL, "ONNX export: the network's parameters do not follow its"
                + " architecture: " + message);
    }
}
