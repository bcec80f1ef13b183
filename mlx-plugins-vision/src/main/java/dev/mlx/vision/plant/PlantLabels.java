package dev.mlx.vision.plant;

import dev.mlx.api.error.MlxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The label of a plant-phenotyping image from its file name {@code <day>_Z<sample>_...}
 * (reference specification §9.4, the table of {@code robust_mlx}'s {@code plant_rgb_dataset.py}):
 * samples 1-3 are controls (day after inoculation −1, label 0); samples 4-18 were inoculated and
 * are 9, 14 or 19 days after inoculation on day 1 (samples 4-8, 9-13, 14-18), plus {@code day − 1}
 * on later days; the label is 1 when {@code dai − 9 + 1 > 0}, which holds for every inoculated
 * sample. Days 1-5 and samples 1-18 are the table's range; anything else is a user error.
 */
public final class PlantLabels {
    private static final Pattern NAME = Pattern.compile("(\\d+)_Z(\\d+)(_.*)?");

    private PlantLabels() {}

    /**
     * @param fileName the image's name without extension, e.g. {@code 3_Z12_5_0_3}
     * @return 0 (control) or 1 (inoculated)
     */
    public static int label(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            throw MlxException.userError("plant: image name '" + fileName + "' does not follow <day>_Z<sample>_..., "
                    + "from which the label is read; keep the dataset's original file names");
        }
        int day = Integer.parseInt(m.group(1));
        int sample = Integer.parseInt(m.group(2));
        if (day < 1 || day > 5 || sample < 1 || sample > 18) {
            throw MlxException.userError("plant: image '" + fileName + "' has day " + day + " and sample " + sample
                    + "; the labelling table covers days 1-5 and samples Z1-Z18");
        }
        if (sample <= 3) {
            return 0;
        }
        int base = sample <= 8 ? 9 : sample <= 13 ? 14 : 19;
        int dai = base + day - 1;
        return dai - 9 + 1 > 0 ? 1 : 0;
    }
}
