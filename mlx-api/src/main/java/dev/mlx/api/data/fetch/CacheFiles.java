package dev.mlx.api.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Putting files into a dataset cache so that a reader never sees a partial or unverified one: a
 * file is written next to its final place under a hidden temporary name, its SHA-256 is checked
 * against its pin, and only then is it renamed into place (atomically where the file system
 * allows; a rename within one folder never copies).
 */
public final class CacheFiles {
    private CacheFiles() {}

    /**
     * Copies {@code content} to {@code <target>}'s folder as {@code .<name>-*.part} while computing
     * its SHA-256 and, if that is {@code pin}, moves it to {@code target} (replacing an old file).
     * The temporary file is gone afterwards whatever happens.
     *
     * @param content the bytes; read to the end, not closed
     * @param target where the file belongs; its folder must exist
     * @param pin the expected SHA-256, lower-case hex
     * @param what the file's origin, for the message, e.g. {@code package/data/x in the p@1.0.0 tarball}
     * @throws FetchException if the bytes have another SHA-256 (nothing is installed)
     * @throws IOException if writing or moving fails
     */
    public static void install(InputStream content, Path target, String pin, String what) throws IOException {
        Path part = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + "-", ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part), digest)) {
                content.transferTo(out);
            }
            String actual = Sha256.hex(digest.digest());
            if (!actual.equals(pin)) {
                throw new FetchException(what + " has sha256 " + actual + ", expected " + pin);
            }
            moveIntoPlace(part, target);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Renames {@code source} to {@code target}, replacing it: atomically where the file system
     * allows, else a plain replacing move (a copy and delete across file systems).
     *
     * @param source a verified file
     * @param target its place in the cache
     * @throws IOException if the move fails
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * @param file a file that may be in the cache
     * @param pin its expected SHA-256, lower-case hex
     * @return whether it is a regular file with that SHA-256
     * @throws dev.mlx.api.error.MlxException (user error) naming the file if it exists but cannot be read
     */
    public static boolean isPinned(Path file, String pin) {
        return Files.isRegularFile(file) && pin.equals(Sha256.ofUserFile(file));
    }

    /**
     * Deletes a working folder and everything in it, as far as it can: a file that cannot be
     * deleted (still open on Windows, say) is left, and named in the result.
     *
     * @param dir a folder, or {@code null} (nothing to do)
     * @return what is left of it, deepest first; empty when it is gone
     */
    public static List<Path> deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.sorted(Comparator.reverseOrder()).filter(p -> !p.toFile().delete()).toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of(dir);
        }
    }
}
