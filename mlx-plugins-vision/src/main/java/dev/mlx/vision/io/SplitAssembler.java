package dev.mlx.vision.io;

import dev.mlx.api.data.DataSplit;
import dev.mlx.api.error.MlxException;

/**
 * Fills one {@link DataSplit} example by example into arrays allocated once for a known count
 * of {@code [channels, size, size]} examples, so a folder dataset is never held twice in memory.
 */
public final class SplitAssembler {
    private final String name;
    private final int[] shape;
    private final int features;
    private final float[] inputs;
    private final float[] masks;
    private final int[] labels;
    private final int[] groups;
    private int next;

    /**
     * @param name the split's name, e.g. {@code isic/train}
     * @param count how many examples will be added
     * @param channels channels of one example
     * @param size height and width of one example
     * @throws MlxException (user error) if the split would not fit in one array, saying to lower {@code size}
     */
    public SplitAssembler(String name, int count, int channels, int size) {
        this.name = name;
        this.shape = new int[] {channels, size, size};
        this.features = channels * size * size;
        if ((long) count * features > Integer.MAX_VALUE - 8) {
            throw MlxException.userError(name + ": " + count + " images of " + channels + "x" + size + "x" + size
                    + " exceed the 2^31 values one split can hold; pass a smaller --dataset-param size=...");
        }
        this.inputs = new float[count * features];
        this.masks = new float[count * features];
        this.labels = new int[count];
        this.groups = new int[count];
    }

    /**
     * Adds the next example.
     *
     * @param image its pixels, exactly the split's example shape
     * @param mask its mask, the same shape
     * @param label its class
     * @param group its group
     */
    public void add(Raster image, Raster mask, int label, int group) {
        if (image.values().length != features || mask.values().length != features) {
            throw new IllegalArgumentException(name + ": example " + next + " has " + image.values().length
                    + " values, mask " + mask.values().length + ", expected " + features);
        }
        System.arraycopy(image.values(), 0, inputs, next * features, features);
        System.arraycopy(mask.values(), 0, masks, next * features, features);
        labels[next] = label;
        groups[next] = group;
        next++;
    }

    /** @return the inputs so far (for in-place post-processing before {@link #build}, e.g. a background fill) */
    public float[] inputs() {
        return inputs;
    }

    /** @return the masks so far (for in-place post-processing before {@link #build}) */
    public float[] masks() {
        return masks;
    }

    /**
     * @param numClasses number of classes
     * @param numGroups number of groups
     * @return the split (validated by {@link DataSplit})
     */
    public DataSplit build(int numClasses, int numGroups) {
        if (next != labels.length) {
            throw new IllegalStateException(name + ": " + next + " of " + labels.length + " examples added");
        }
        return new DataSplit(name, shape, inputs, masks, labels, groups, numClasses, numGroups);
    }
}
