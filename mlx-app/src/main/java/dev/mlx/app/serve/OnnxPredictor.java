package dev.mlx.app.serve;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.api.metric.GroupAccuracy;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs an ONNX classifier with ONNX Runtime: one float32 input {@code [batch, exampleShape...]}
 * (as {@code mlx export} writes it, or any model of that form) and the logits
 * {@code [batch, classes]} as its first output. {@link #predict} scores a split batch by batch;
 * see {@link Predictions} for the definitions.
 */
public final class OnnxPredictor implements AutoCloseable {
    private final Path file;
    private final OrtSession session;
    private final ExecutionProvider provider;
    private final String inputName;
    private final String outputName;
    private final long[] inputShape;

    private OnnxPredictor(Path file, SessionFactory.Opened opened) throws OrtException {
        this.file = file;
        this.session = opened.session();
        this.provider = opened.provider();
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw MlxException.userError(file + " has " + inputs.size() + " inputs " + inputs.keySet()
                    + "; mlx predict runs classifiers with one image or feature input");
        }
        Map.Entry<String, NodeInfo> input = inputs.entrySet().iterator().next();
        if (!(input.getValue().getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.FLOAT) {
            throw MlxException.userError(file + ": input " + input.getKey() + " is " + input.getValue().getInfo()
                    + "; mlx predict needs a float32 tensor input");
        }
        this.inputName = input.getKey();
        this.inputShape = info.getShape();
        this.outputName = session.getOutputNames().iterator().next();
    }

    /**
     * @param file the ONNX file
     * @param sessions how to open sessions (which provider)
     * @param threads intra-op threads, 0 for ONNX Runtime's default
     * @return the predictor (close it)
     */
    public static OnnxPredictor open(Path file, SessionFactory sessions, int threads) {
        SessionFactory.Opened opened = sessions.open(file, threads);
        try {
            return new OnnxPredictor(file, opened);
        } catch (OrtException | RuntimeException e) {
            try {
                opened.session().close();
            } catch (OrtException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw MlxException.userError(file + ": cannot read the model's inputs: " + e.getMessage(), e);
        }
    }

    /** @return the execution provider the model runs on */
    public ExecutionProvider provider() {
        return provider;
    }

    /** @return the declared input shape, -1 for dynamic dimensions */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /**
     * @param split the examples, their labels and groups
     * @param batchSize examples per forward pass
     * @return the predictions and their group and label accuracies
     */
    public Predictions predict(DataSplit split, int batchSize) {
        if (batchSize < 1) {
            throw MlxException.userError("--batch-size must be >= 1, got " + batchSize);
        }
        checkExampleShape(split);
        int n = split.size();
        int features = split.featureCount();
        float[] inputs = split.inputs();
        int[] predicted = new int[n];
        long[] groupCorrect = new long[split.numGroups()];
        long[] groupCount = new long[split.numGroups()];
        long[] labelCorrect = new long[split.numClasses()];
        long[] labelCount = new long[split.numClasses()];
        long t0 = System.nanoTime();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            float[] logits = logits(FloatBuffer.wrap(inputs, from * features, (to - from) * features), to - from,
                    split);
            int classes = logits.length / (to - from);
            for (int i = from; i < to; i++) {
                predicted[i] = argMax(logits, (i - from) * classes, classes, i, split);
                int g = split.groups()[i];
                int y = split.labels()[i];
                groupCount[g]++;
                labelCount[y]++;
                if (predicted[i] == y) {
                    groupCorrect[g]++;
                    labelCorrect[y]++;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Predictions(predicted, new GroupAccuracy(groupCorrect, groupCount),
                new GroupAccuracy(labelCorrect, labelCount), seconds);
    }

    /** The logits of one batch, row-major {@code [batch, classes]}. */
    private float[] logits(FloatBuffer batch, int rows, DataSplit split) {
        long[] shape = new long[inputShape.length];
        shape[0] = rows;
        int[] example = split.exampleShape();
        for (int d = 0; d < example.length; d++) {
            shape[d + 1] = example[d];
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor x = OnnxTensor.createTensor(env, batch, shape);
                OrtSession.Result result = session.run(Map.of(inputName, x))) {
            OnnxValue value = result.get(outputName).orElseThrow();
            if (!(value instanceof OnnxTensor out) || out.getInfo().type != OnnxJavaType.FLOAT
                    || out.getInfo().getShape().length != 2 || out.getInfo().getShape()[0] != rows) {
                throw MlxException.userError(file + ": output " + outputName + " is " + value.getInfo()
                        + "; mlx predict needs float32 logits of shape [batch, classes]");
            }
            TensorInfo info = out.getInfo();
            long classes = info.getShape()[1];
            if (classes != split.numClasses()) {
                throw MlxException.userError(file + " predicts " + classes + " classes but " + split.name() + " has "
                        + split.numClasses() + "; predict with the dataset the model was trained on");
            }
            FloatBuffer buffer = out.getFloatBuffer();
            float[] logits = new float[buffer.remaining()];
            buffer.get(logits);
            return logits;
        } catch (OrtException e) {
            throw new MlxException(ErrorKind.RESOURCES, "ONNX Runtime failed to run " + file + " on " + provider.name()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The first index of the largest logit (as PyTorch's argmax); non-finite logits are refused. */
    private int argMax(float[] logits, int offset, int classes, int example, DataSplit split) {
        int best = 0;
        for (int c = 0; c < classes; c++) {
            float v = logits[offset + c];
            if (!Float.isFinite(v)) {
                throw MlxException.userError(file + " computes a non-finite logit (" + v + ") for example " + example
                        + " of " + split.name() + "; the model's weights are broken (retrain or re-export it)");
            }
            if (v > logits[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    private void checkExampleShape(DataSplit split) {
        int[] example = split.exampleShape();
        boolean fits = inputShape.length == example.length + 1;
        for (int d = 0; fits && d < example.length; d++) {
            fits = inputShape[d + 1] < 0 || inputShape[d + 1] == example[d];
        }
        if (!fits) {
            throw MlxException.userError(file + " takes inputs of shape " + Arrays.toString(inputShape)
                    + " (-1: any size) but " + split.name() + " has examples of shape " + Arrays.toString(example)
                    + "; predict with the dataset the model was trained on");
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot close the ONNX Runtime session of " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
