package dev.mlx.app.plugin;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.model.ModelProvider;
import dev.mlx.api.train.RegularizerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which regularizer plugin runs when a user names a method for a model. Methods keep their usual
 * names on every model: on a model whose {@link ModelProvider#offersTokenEmbeddings()} is true (a
 * text model), a name that a token-model regularizer claims through
 * {@link RegularizerProvider#tokenModelCounterpartOf()} resolves to that regularizer
 * ({@code adv-r4} on {@code minilm} runs {@code token-adv-r4}), with a log line. The rules,
 *
 * <pre>
 * token model:      claimed name N         -> the plugin claiming N
 *                   forTokenModels() or forAnyModel() -> itself
 *                   any other regularizer   -> error listing what runs on token models
 * continuous model: forTokenModels()        -> error naming the counterpart to use
 *                   any other regularizer   -> itself
 * unknown name      -> the registry's one-line error listing the known regularizers
 * </pre>
 *
 * Resolution is idempotent (a resolved name resolves to itself), so the run's config, which
 * records the resolved plugin, repeats the run. Two plugins claiming one name are an error naming
 * both.
 */
public final class RegularizerResolver {
    private static final Logger LOG = LoggerFactory.getLogger(RegularizerResolver.class);
    private final PluginCatalog catalog;

    /** @param catalog the plugins */
    public RegularizerResolver(PluginCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * @param requested the regularizer name the user gave
     * @param model the model plugin's name
     * @return the name of the regularizer plugin to run
     * @throws MlxException (user error) for an unknown name or a regularizer that cannot train the model
     */
    public String resolve(String requested, String model) {
        ModelProvider modelProvider = catalog.model(model);
        if (modelProvider.offersTokenEmbeddings()) {
            String counterpart = tokenModelNames().get(requested);
            if (counterpart != null) {
                LOG.info("regularizer {} on the token model {}: running its token-model counterpart, plugin {}",
                        requested, model, counterpart);
                return counterpart;
            }
            RegularizerProvider provider = catalog.regularizer(requested);
            if (provider.forTokenModels() || provider.forAnyModel()) {
                return requested;
            }
            throw MlxException.userError("regularizer '" + requested + "' works on continuous inputs and has no"
                    + " token-model counterpart, so it cannot train the text model '" + model + "'; on token models use"
                    + " one of: " + String.join(", ", usableOnTokenModels()));
        }
        RegularizerProvider provider = catalog.regularizer(requested);
        if (provider.forTokenModels()) {
            Optional<String> counterpart = provider.tokenModelCounterpartOf();
            throw MlxException.userError("regularizer '" + requested + "' works on token ids (text models such as "
                    + String.join(", ", tokenModels()) + ") but model '" + model + "' takes continuous inputs; "
                    + counterpart.map(c -> "use '" + c + "'").orElse("choose a regularizer for continuous inputs"));
        }
        return requested;
    }

    /**
     * @return for every name that a token-model regularizer claims, that regularizer's name, sorted by claimed name
     * @throws MlxException (user error) if two plugins claim one name
     */
    public Map<String, String> tokenModelNames() {
        Map<String, String> names = new TreeMap<>();
        for (PluginInfo info : catalog.registry().plugins(PluginKind.REGULARIZER).values()) {
            RegularizerProvider provider = (RegularizerProvider) info.provider();
            if (!provider.forTokenModels()) {
                continue;
            }
            provider.tokenModelCounterpartOf().ifPresent(claimed -> {
                String earlier = names.putIfAbsent(claimed, info.name());
                if (earlier != null) {
                    PluginInfo other = catalog.registry().require(PluginKind.REGULARIZER, earlier);
                    throw MlxException.userError("regularizers '" + earlier + "' (" + other.source() + ") and '"
                            + info.name() + "' (" + info.source() + ") both claim to be '" + claimed
                            + "' on token models; remove one of the two JARs");
                }
            });
        }
        return names;
    }

    /** @return the names of the model plugins that offer token embeddings */
    public List<String> tokenModels() {
        List<String> models = new ArrayList<>();
        catalog.registry().plugins(PluginKind.MODEL).forEach((name, info) -> {
            if (((ModelProvider) info.provider()).offersTokenEmbeddings()) {
                models.add(name);
            }
        });
        return models;
    }

    /** @return what may be named for a token model: {@code erm}-like, claimed names (with their plugin), token regularizers */
    private List<String> usableOnTokenModels() {
        List<String> usable = new ArrayList<>();
        Map<String, String> claimed = tokenModelNames();
        catalog.registry().plugins(PluginKind.REGULARIZER).forEach((name, info) -> {
            if (((RegularizerProvider) info.provider()).forAnyModel()) {
                usable.add(name);
            }
        });
        claimed.forEach((name, plugin) -> usable.add(name + " (runs " + plugin + ")"));
        catalog.registry().plugins(PluginKind.REGULARIZER).forEach((name, info) -> {
            RegularizerProvider provider = (RegularizerProvider) info.provider();
            if (provider.forTokenModels() && !claimed.containsValue(name)) {
                usable.add(name);
            }
        });
        return usable;
    }
}
