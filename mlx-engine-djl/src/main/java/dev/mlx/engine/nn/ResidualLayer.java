package dev.mlx.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.mlx.api.train.Interval;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A residual connection {@code y = body(x) + shortcut(x)} (He et al., "Deep Residual Learning for
 * Image Recognition", CVPR 2016); an empty shortcut is the identity. The sum is differentiable
 * twice, so input gradients through it are differentiable with respect to the parameters of both
 * branches.
 *
 * <p><b>Intervals.</b> The sum of two intervals contains the sum of any two of their members, so
 * forward {@code [l_body + l_short, u_body + u_short]} is sound; backward the input cotangent is
 * {@code J_body^T g + J_short^T g} and its interval is the sum of the two branch intervals, each
 * propagated back through its branch with the intervals that branch saw going forward (kept by
 * {@link #intervalStep}). Both passes are supported exactly when every layer of both branches
 * supports them.
 *
 * <p>Exporters read {@link #body()} and {@link #shortcut()} (an empty shortcut adds {@code x}).
 */
public final class ResidualLayer implements Layer {
    private final List<Layer> body;
    private final List<Layer> shortcut;

    ResidualLayer(List<Layer> body, List<Layer> shortcut) {
        this.body = List.copyOf(body);
        this.shortcut = List.copyOf(shortcut);
    }

    /** @return the main branch, in order */
    public List<Layer> body() {
        return body;
    }

    /** @return the shortcut branch, in order; empty for the identity */
    public List<Layer> shortcut() {
        return shortcut;
    }

    @Override
    public String describe() {
        return "Residual[" + describe(body) + " | " + (shortcut.isEmpty() ? "identity" : describe(shortcut)) + "]";
    }

    private static String describe(List<Layer> layers) {
        List<String> parts = new ArrayList<>();
        layers.forEach(l -> parts.add(l.describe()));
        return String.join(" -> ", parts);
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        body.forEach(l -> all.addAll(l.parameters()));
        shortcut.forEach(l -> all.addAll(l.parameters()));
        return all;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray main = x;
        for (Layer layer : body) {
            main = layer.forward(main);
        }
        NDArray skip = x;
        for (Layer layer : shortcut) {
            skip = layer.forward(skip);
        }
        return main.add(skip);
    }

    @Override
    public boolean supportsIntervals() {
        return body.stream().allMatch(Layer::supportsIntervals) && shortcut.stream().allMatch(Layer::supportsIntervals);
    }

    @Override
    public boolean supportsBackwardIntervals() {
        return body.stream().allMatch(Layer::supportsBackwardIntervals)
                && shortcut.stream().allMatch(Layer::supportsBackwardIntervals);
    }

    @Override
    public Interval forwardInterval(Interval input) {
        return intervalStep(input).output();
    }

    @Override
    public Interval backwardInterval(Interval outputGradient, Interval input) {
        return intervalStep(input).backward().apply(outputGradient);
    }

    @Override
    public IntervalStep intervalStep(Interval input) {
        List<IntervalStep> mainSteps = chain(body, input);
        List<IntervalStep> skipSteps = chain(shortcut, input);
        Interval main = mainSteps.get(mainSteps.size() - 1).output();
        Interval skip = skipSteps.isEmpty() ? input : skipSteps.get(skipSteps.size() - 1).output();
        Interval output = new Interval(main.lower().add(skip.lower()), main.upper().add(skip.upper()));
        UnaryOperator<Interval> backward = g -> {
            Interval viaMain = back(mainSteps, g);
            Interval viaSkip = back(skipSteps, g);
            return new Interval(viaMain.lower().add(viaSkip.lower()), viaMain.upper().add(viaSkip.upper()));
        };
        return new IntervalStep(output, backward);
    }

    private static List<IntervalStep> chain(List<Layer> layers, Interval input) {
        List<IntervalStep> steps = new ArrayList<>(layers.size());
        Interval current = input;
        for (Layer layer : layers) {
            IntervalStep step = layer.intervalStep(current);
            steps.add(step);
            current = step.output();
        }
        return steps;
    }

    private static Interval back(List<IntervalStep> steps, Interval g) {
        Interval current = g;
        for (int i = steps.size() - 1; i >= 0; i--) {
            current = steps.get(i).backward().apply(current);
        }
        return current;
    }
}
