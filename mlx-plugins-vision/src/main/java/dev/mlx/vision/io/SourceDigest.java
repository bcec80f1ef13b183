package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 provenance checksum of a dataset's source files: the digest of, for every file in
 * the order added, its name relative to the dataset folder, a zero byte, and its bytes. Two
 * folders get the same checksum exactly when they hold the same files with the same contents
 * under the same names, read in the same order.
 */
public final class SourceDigest {
    private final Path root;
    private final MessageDigest digest;

    /** @param root the dataset folder names are taken relative to */
    public SourceDigest(Path root) {
        this.root = root;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** @return the hex SHA-256 of one file's bytes */
    public static String ofFile(Path file) {
        SourceDigest d = new SourceDigest(file.getParent() == null ? Path.of("") : file.getParent());
        d.digest.reset();
        d.addBytes(file);
        return HexFormat.of().formatHex(d.digest.digest());
    }

    /** Adds a file's name and bytes. */
    public SourceDigest add(Path file) {
        String name = root.relativize(file).toString().replace('\\', '/');
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        addBytes(file);
        return this;
    }

    /** @return the hex digest of everything added */
    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    private void addBytes(Path file) {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                digest.update(buf, 0, r);
            }
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage()
                    + "; check that it exists and is readable", e);
        }
    }
}
