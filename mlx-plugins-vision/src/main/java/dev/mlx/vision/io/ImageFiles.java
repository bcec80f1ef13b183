package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads the image and mask files of the user-supplied datasets with {@link ImageIO} (PNG, JPEG,
 * BMP, GIF): images as RGB in {@code [0, 1]}, masks as one grey channel in {@code [0, 1]}
 * ({@code (R + G + B) / 3 / 255}: white = 1 = the masked region, black = 0; grey levels give
 * soft masks). Every failure is a user error naming the file and what to do.
 */
public final class ImageFiles {
    /** File name extensions recognised as images (lower case). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFiles() {}

    /**
     * @param file an image file
     * @return its pixels as a 3-channel raster (a grey image is repeated to 3 channels; alpha is dropped)
     */
    public static Raster readRgb(Path file) {
        BufferedImage image = decode(file);
        int h = image.getHeight();
        int w = image.getWidth();
        float[] v = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int at = y * w + x;
                v[at] = ((rgb >> 16) & 0xFF) / 255f;
                v[plane + at] = ((rgb >> 8) & 0xFF) / 255f;
                v[2 * plane + at] = (rgb & 0xFF) / 255f;
            }
        }
        return new Raster(3, h, w, v);
    }

    /**
     * @param file a mask file (PNG recommended; any format {@link ImageIO} reads)
     * @return its grey level as a 1-channel raster in {@code [0, 1]}
     */
    public static Raster readMask(Path file) {
        BufferedImage image = decode(file);
        int h = image.getHeight();
        int w = image.getWidth();
        float[] v = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                v[y * w + x] = (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 765f;
            }
        }
        return new Raster(1, h, w, v);
    }

    /**
     * Checks that a mask has the size of its image.
     *
     * @throws MlxException (user error) naming both files and both sizes
     */
    public static void requireSameSize(Path imageFile, Raster image, Path maskFile, Raster mask) {
        if (image.height() != mask.height() || image.width() != mask.width()) {
            throw MlxException.userError("mask " + maskFile + " is " + mask.width() + "x" + mask.height()
                    + " pixels but its image " + imageFile + " is " + image.width() + "x" + image.height()
                    + "; a mask must have the size of its image (regenerate it from the image)");
        }
    }

    /**
     * @param folder a folder
     * @return the image files directly in it, sorted by name (the order is part of the dataset's definition)
     * @throws MlxException (user error) if the folder does not exist or cannot be listed
     */
    public static List<Path> listImages(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError("folder " + folder + " does not exist");
        }
        try (Stream<Path> s = Files.list(folder)) {
            List<Path> files = new ArrayList<>(s.filter(Files::isRegularFile).filter(ImageFiles::isImage).toList());
            files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
            return files;
        } catch (IOException e) {
            throw MlxException.userError("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    /** @return whether the file name ends in one of {@link #IMAGE_EXTENSIONS} */
    public static boolean isImage(Path file) {
        return IMAGE_EXTENSIONS.contains(extension(file));
    }

    /** @return the file name without its extension */
    public static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static BufferedImage decode(Path file) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError("file " + file + " does not exist");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw MlxException.userError("cannot decode image " + file + " (" + e.getMessage() + "); re-save it as an "
                    + "RGB PNG or baseline JPEG, or remove it from the dataset folder", e);
        }
        if (image == null) {
            throw MlxException.userError("cannot decode image " + file + ": no PNG/JPEG/BMP/GIF reader recognises it; "
                    + "re-save it as an RGB PNG or baseline JPEG, or remove it from the dataset folder");
        }
        return image;
    }
}
