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
 * role (name suffix, e.g. {@code weight}) and the shape the layer specification implies; a
 * mismatch is an internal error, since the network was built from that same specification.
 */
final class ParameterCursor {
    private final List<Parameter> parameters;
    private int next;

    ParameterCursor(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    /**
     * @param layer the layer being translated, for messages
     * @param role the parameter's role, the last component of its name (e.g. {@code bias})
     * @param shape its expected shape
     * @return the next parameter, as an initializer named like the parameter
     */
    OnnxInitializer take(String layer, String role, long... shape) {
        if (next >= parameters.size()) {
            throw inconsistent(layer + " needs a " + role + " parameter but the network has only " + parameters.size()
                    + " parameters");
        }
        Parameter p = parameters.get(next++);
        long[] actual = p.array().getShape().getShape();
        if (!(p.name().equals(role) || p.name().endsWith("." + role)) || !Arrays.equals(actual, shape)) {
            throw inconsistent(layer + " expects its " + role + " of shape " + Arrays.toString(shape)
                    + " but the next parameter is " + p.name() + " of shape " + Arrays.toString(actual));
        }
        return new OnnxInitializer(p.name(), shape, floats(p.array()));
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
