package dev.mlx.vision.io;

import java.nio.file.Path;

/**
 * Loads one image and its mask at a common square size: the image is read as RGB and resized
 * bilinearly to {@code size x size}; the mask must have the image's pixel size (checked before
 * any resizing, so a misaligned mask is an error rather than silently stretched), is resized by
 * nearest neighbour and repeated to the image's 3 channels. No mask means an all-zero mask.
 * Image and mask go through the same geometric transform, so they stay aligned (unlike the
 * reference Salient ImageNet loader, reference specification §14 item 13).
 *
 * @param image the {@code [3, size, size]} image in {@code [0, 1]}
 * @param mask the {@code [3, size, size]} mask in {@code [0, 1]}
 */
public record ImageMaskPair(Raster image, Raster mask) {
    /**
     * @param imageFile the image
     * @param maskFile its mask, or {@code null} for an all-zero mask
     * @param size the output height and width
     * @return the pair
     */
    public static ImageMaskPair load(Path imageFile, Path maskFile, int size) {
        Raster image = ImageFiles.readRgb(imageFile);
        Raster mask;
        if (maskFile == null) {
            mask = new Raster(1, size, size, new float[size * size]);
        } else {
            mask = ImageFiles.readMask(maskFile);
            ImageFiles.requireSameSize(imageFile, image, maskFile, mask);
            mask = mask.resizeNearest(size, size);
        }
        return new ImageMaskPair(image.resizeBilinear(size, size), mask.repeatChannels(3));
    }
}
