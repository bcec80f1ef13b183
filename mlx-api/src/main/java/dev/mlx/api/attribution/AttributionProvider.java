package dev.mlx.api.attribution;

import dev.mlx.api.Described;
import dev.mlx.api.param.HyperParameters;

/**
 * Service interface for attribution methods, listed in
 * {@code META-INF/services/dev.mlx.api.attribution.AttributionProvider}.
 *
 * <h2>Order of use</h2>
 * <ol>
 *   <li>discovery instantiates the provider (public no-argument constructor, no work) and reads
 *       {@link #name()}, {@link #parameters()} and {@link #differentiable()};</li>
 *   <li>the caller binds the user's values to {@link #parameters()} and calls
 *       {@link #create(HyperParameters)};</li>
 *   <li>it calls {@link AttributionMethod#attribute} per batch, on a manager that receives every
 *       temporary.</li>
 * </ol>
 *
 * The javadoc of each provider states its formula and cites its paper.
 */
public interface AttributionProvider extends Described {

    /**
     * @return whether {@link AttributionMethod#attribute} is differentiable with respect to the
     *     model's parameters (so it can be used inside a training loss)
     */
    boolean differentiable();

    /**
     * @param params validated values for {@link #parameters()}
     * @return the method configured with them
     */
    AttributionMethod create(HyperParameters params);
}
