package dev.mlx.engine.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlx.engine.nn.Network;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/** Runs the same inputs through a DJL network and through its ONNX export in ONNX Runtime (CPU). */
final class OnnxParity {
    private OnnxParity() {}

    /** @return {@code n} examples of {@code exampleShape}, uniform in [-1, 1), flattened */
    static float[] inputs(int n, int[] exampleShape, long seed) {
        int f = 1;
        for (int d : exampleShape) {
            f *= d;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }

    static long[] batchShape(int n, int[] exampleShape) {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = n;
        for (int i = 0; i < exampleShape.length; i++) {
            shape[i + 1] = exampleShape[i];
        }
        return shape;
    }

    /** @return the network's logits, one row per example */
    static float[][] djl(Network network, float[] inputs, long[] shape) {
        try (NDManager manager = network.manager().newSubManager()) {
            NDArray logits = network.logits(manager.create(inputs, new Shape(shape)));
            return rows(logits.toFloatArray(), (int) shape[0]);
        }
    }

    /** @return the logits ONNX Runtime computes from the serialised model, one row per example */
    static float[][] ort(byte[] model, float[] inputs, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), shape);
                    OrtSession.Result result = session.run(Map.of(OnnxExporter.INPUT, x))) {
                OnnxTensor logits = (OnnxTensor) result.get(OnnxExporter.OUTPUT).orElseThrow();
                FloatBuffer buffer = logits.getFloatBuffer();
                float[] flat = new float[buffer.remaining()];
                buffer.get(flat);
                return rows(flat, (int) shape[0]);
            }
        }
    }

    private static float[][] rows(float[] flat, int n) {
        int classes = flat.length / n;
        float[][] out = new float[n][classes];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * classes, out[i], 0, classes);
        }
        return out;
    }

    /** @return the largest absolute difference of two logit tables of the same shape */
    static double maxAbsDifference(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new AssertionError(a.length + " rows vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new AssertionError("row " + i + ": " + a[i].length + " vs " + b[i].length + " classes");
            }
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }

    /** @return the index of the largest value of each row */
    static int[] argMax(float[][] logits) {
        int[] out = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int j = 1; j < logits[i].length; j++) {
                if (logits[i][j] > logits[i][best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
