package dev.mlx.app.report;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;

/** PNG encoding of images with {@link ImageIO}: as bytes, as a file, or as a {@code data:image/png;base64,} URI. */
public final class Png {
    /** The prefix of every data URI this class makes. */
    public static final String DATA_URI_PREFIX = "data:image/png;base64,";

    private Png() {}

    /**
     * @param image the image
     * @return its PNG encoding
     */
    public static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(image, bytes);
        return bytes.toByteArray();
    }

    /**
     * @param image the image
     * @return {@code data:image/png;base64,<the PNG>}, for an {@code <img src>} that needs no other file
     */
    public static String dataUri(BufferedImage image) {
        return DATA_URI_PREFIX + Base64.getEncoder().encodeToString(encode(image));
    }

    /**
     * @param image the image
     * @param file where to write the PNG (the parent folder must exist)
     * @throws MlxException (resources) if the file cannot be written
     */
    public static void write(BufferedImage image, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(image, out);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(BufferedImage image, OutputStream out) {
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new MlxException(ErrorKind.INTERNAL, "no PNG writer for an image of type " + image.getType());
            }
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot encode a PNG: " + e.getMessage(), e);
        }
    }
}
