package dev.mlx.app.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a small MedMNIST-format {@code dermamnist_64.npz} (uint8 images {@code [n, size, size, 3]},
 * int64 labels {@code [n, 1]}) for the app's end-to-end tests. Class 5 images are dark, the other
 * classes bright, so the task is learnable from the image as well as from the swatch.
 */
public final class TinyDermaNpz {
    private TinyDermaNpz() {}

    /**
     * @param dir the folder to write into
     * @param perSplit images in the train and test splits (val gets a quarter, at least one)
     * @param size image side
     * @param seed the seed of labels and pixels
     * @return the written file
     * @throws IOException if it cannot be written
     */
    public static Path write(Path dir, int perSplit, int size, long seed) throws IOException {
        Path file = dir.resolve("dermamnist_64.npz");
        SplittableRandom rng = new SplittableRandom(seed);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (String split : new String[] {"train", "val", "test"}) {
                int n = split.equals("val") ? Math.max(1, perSplit / 4) : perSplit;
                byte[] pixels = new byte[n * size * size * 3];
                long[] labels = new long[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = i % 2 == 0 ? 5 : rng.nextInt(5);
                    int base = labels[i] == 5 ? 60 : 160;
                    for (int p = 0; p < size * size * 3; p++) {
                        pixels[i * size * size * 3 + p] = (byte) (base + rng.nextInt(40));
                    }
                }
                entry(zip, split + "_images", "|u1", new int[] {n, size, size, 3}, pixels);
                ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (long l : labels) {
                    b.putLong(l);
                }
                entry(zip, split + "_labels", "<i8", new int[] {n, 1}, b.array());
            }
        }
        return file;
    }

    private static void entry(ZipOutputStream zip, String name, String descr, int[] shape, byte[] data)
            throws IOException {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(i + 1 < shape.length ? ", " : "");
        }
        s.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xFF);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        zip.putNextEntry(new ZipEntry(name + ".npy"));
        zip.write(out.toByteArray());
        zip.closeEntry();
    }
}
