package dev.mlx.api.data.fetch;

import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 (FIPS 180-4) helpers; every digest is rendered as 64 lower-case hex digits. */
public final class Sha256 {
    private Sha256() {}

    /** @return a fresh SHA-256 digest */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM must provide SHA-256", e);
        }
    }

    /**
     * @param file a file
     * @return the SHA-256 of its bytes
     * @throws IOException if it cannot be read
     */
    public static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return hex(digest.digest());
    }

    /**
     * {@link #of(Path)} for a file the user is responsible for (a cached or given data file).
     *
     * @param file a file
     * @return the SHA-256 of its bytes
     * @throws MlxException (user error) naming the file if it cannot be read
     */
    public static String ofUserFile(Path file) {
        try {
            return of(file);
        } catch (IOException e) {
            throw MlxException.userError("cannot read " + file + ": " + e + "; check its permissions", e);
        }
    }

    /**
     * @param digest a finished digest
     * @return the digest as lower-case hex
     */
    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /**
     * The SHA-256 of the lines {@code "<sha256>  <name>\n"} sorted by name, i.e. of the output of
     * {@code sha256sum} over the files in name order: one checksum for a set of files, for
     * provenance.
     *
     * @param hashes file name to SHA-256
     * @return the combined checksum
     */
    public static String combined(Map<String, String> hashes) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(hashes).forEach((name, hash) -> text.append(hash).append("  ").append(name).append('\n'));
        return hex(newDigest().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
