package dev.mlx.app.report;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The saliency examples of one model for a report, or the reason there are none.
 *
 * @param method the attribution method's name (e.g. {@code input-gradient})
 * @param split the split the examples come from (e.g. {@code test})
 * @param examples the examples, in figure order (empty when {@code missingReason} is set)
 * @param missingReason why there are no examples (shown in the report instead), or {@code null}
 */
public record SaliencySet(String method, String split, List<Saliency> examples, String missingReason) {
    public SaliencySet {
        examples = List.copyOf(examples);
    }

    /**
     * @param method the attribution method
     * @param split the split
     * @param examples the examples
     * @return a set of examples
     */
    public static SaliencySet of(String method, String split, List<Saliency> examples) {
        return new SaliencySet(method, split, examples, null);
    }

    /**
     * @param reason why a report has no saliency examples, shown to the reader
     * @return an empty set
     */
    public static SaliencySet none(String reason) {
        return new SaliencySet("", "", List.of(), reason);
    }

    /**
     * @param example one of the examples
     * @return its figure, drawn by {@link SaliencyFigure}
     */
    public BufferedImage figure(Saliency example) {
        return SaliencyFigure.render(example, method, split);
    }

    /**
     * @param example one of the examples
     * @return the figure's caption
     */
    public String caption(Saliency example) {
        return method + " attribution of class " + example.explainedClass() + " for " + split + " example "
                + example.index() + " (label " + example.label() + ", predicted " + example.predicted() + ")";
    }
}
