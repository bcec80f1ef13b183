package dev.mlx.vision.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import dev.mlx.vision.fixtures.IdxFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private final MnistSplit split = IdxFixtures.randomSplit(7, 5, 3, 42);

    @Test
    void readsWhatWasWritten() throws IOException {
        Path images = write("img", IdxFixtures.imagesIdx(split));
        Path labels = write("lab", IdxFixtures.labelsIdx(split));

        MnistSplit read = IdxReader.readSplit(images, labels);

        assertEquals(7, read.count());
        assertEquals(5, read.rows());
        assertEquals(3, read.cols());
        assertArrayEquals(split.pixels(), read.pixels());
        assertArrayEquals(split.labels(), read.labels());
    }

    @Test
    void readsGzipCompressedFiles() throws IOException {
        Path images = write("img.gz", IdxFixtures.gzip(IdxFixtures.imagesIdx(split)));
        Path labels = write("lab.gz", IdxFixtures.gzip(IdxFixtures.labelsIdx(split)));

        MnistSplit read = IdxReader.readSplit(images, labels);

        assertArrayEquals(split.pixels(), read.pixels());
        assertArrayEquals(split.labels(), read.labels());
    }

    @Test
    void readsUnsignedPixels() throws IOException {
        MnistSplit bright = new MnistSplit(1, 1, 2, new byte[] {(byte) 255, (byte) 128}, new byte[] {9});
        MnistSplit read = IdxReader.readSplit(write("i", IdxFixtures.imagesIdx(bright)), write("l", IdxFixtures.labelsIdx(bright)));
        assertEquals(255, read.pixel(0, 0, 0));
        assertEquals(128, read.pixel(0, 0, 1));
        assertEquals(9, read.label(0));
    }

    @Test
    void labelsFileReadAsImagesIsRejected() throws IOException {
        Path labels = write("labels-as-images", IdxFixtures.labelsIdx(split));
        String message = userError(() -> IdxReader.readImages(labels));
        assertContains(message, labels.toString(), "magic number is 0x00000801", "expected 0x00000803", "swapped");
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path junk = write("junk", "hello world, not IDX".getBytes(StandardCharsets.US_ASCII));
        assertContains(userError(() -> IdxReader.readLabels(junk)), junk.toString(), "not an IDX labels file",
                "expected 0x00000801");
    }

    @Test
    void gzipWithoutSuffixGetsAHint() throws IOException {
        Path gz = write("compressed-but-not-named", IdxFixtures.gzip(IdxFixtures.imagesIdx(split)));
        assertContains(userError(() -> IdxReader.readImages(gz)), gz.toString(), "gzip-compressed", ".gz");
    }

    @Test
    void truncatedDataIsRejected() throws IOException {
        byte[] full = IdxFixtures.imagesIdx(split);
        Path cut = write("cut", Arrays.copyOf(full, full.length - 10));
        assertContains(userError(() -> IdxReader.readImages(cut)), cut.toString(), "truncated",
                "7 images of 5x3 pixels", "ends after " + (105 - 10) + " bytes", "again");
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        Path cut = write("cut-header", Arrays.copyOf(IdxFixtures.imagesIdx(split), 10));
        assertContains(userError(() -> IdxReader.readImages(cut)), cut.toString(), "truncated", "header");
    }

    @Test
    void truncatedGzipIsRejected() throws IOException {
        byte[] gz = IdxFixtures.gzip(IdxFixtures.imagesIdx(IdxFixtures.randomSplit(50, 28, 28, 1)));
        Path cut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertContains(userError(() -> IdxReader.readImages(cut)), cut.toString(), "truncated or not a valid gzip file");
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] full = IdxFixtures.labelsIdx(split);
        Path longer = write("longer", Arrays.copyOf(full, full.length + 3));
        assertContains(userError(() -> IdxReader.readLabels(longer)), longer.toString(), "bytes after the 7 labels");
    }

    @Test
    void negativeSizeIsRejected() throws IOException {
        byte[] header = ByteBuffer.allocate(16).putInt(0x803).putInt(1).putInt(-28).putInt(28).array();
        Path bad = write("negative", header);
        assertContains(userError(() -> IdxReader.readImages(bad)), bad.toString(), "invalid size -28");
    }

    @Test
    void missingFileIsRejected() {
        Path missing = dir.resolve("nowhere/train-images-idx3-ubyte");
        assertContains(userError(() -> IdxReader.readImages(missing)), missing.toString(), "does not exist");
    }

    @Test
    void countMismatchIsRejected() throws IOException {
        Path images = write("img", IdxFixtures.imagesIdx(split));
        Path labels = write("lab", IdxFixtures.labelsIdx(split.first(4)));
        assertContains(userError(() -> IdxReader.readSplit(images, labels)), images.toString(), labels.toString(),
                "7 images", "4 labels");
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    static String userError(Executable call) {
        MlxException e = assertThrows(MlxException.class, call);
        assertEquals(ErrorKind.USER, e.kind(), e.getMessage());
        return e.getMessage();
    }

    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
        }
    }
}
