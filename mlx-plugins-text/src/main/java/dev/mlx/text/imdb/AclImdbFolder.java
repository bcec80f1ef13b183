package dev.mlx.text.imdb;

import dev.mlx.api.error.MlxException;
import dev.mlx.text.corpus.LabelledText;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The standard {@code aclImdb} folder of Maas et al. (ACL 2011): {@code <root>/<split>/pos/*.txt}
 * (label 1) and {@code <root>/<split>/neg/*.txt} (label 0), split {@code train} or {@code test}.
 * As in the reference (spec §9.6) a review is the first line of its file, stripped; HTML line
 * breaks become spaces. Files are read in name order, positives first.
 */
public final class AclImdbFolder {
    private AclImdbFolder() {}

    /**
     * @param root the folder holding {@code train/} and {@code test/}
     * @param split {@code train} or {@code test}
     * @return the reviews
     * @throws MlxException if a folder is missing or empty
     */
    public static List<LabelledText> read(Path root, String split) {
        List<LabelledText> reviews = new ArrayList<>();
        for (String label : List.of("pos", "neg")) {
            Path dir = root.resolve(split).resolve(label);
            if (!Files.isDirectory(dir)) {
                throw MlxException.userError("the aclImdb folder " + root.toAbsolutePath() + " has no " + split + "/"
                        + label + "/; point the data directory at the extracted aclImdb folder");
            }
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> sorted = files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
                if (sorted.isEmpty()) {
                    throw MlxException.userError(dir + " holds no .txt reviews");
                }
                for (Path f : sorted) {
                    try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                        String line = r.readLine();
                        reviews.add(new LabelledText(ImdbDataPackage.clean(line == null ? "" : line), label.equals("pos") ? 1 : 0));
                    }
                }
            } catch (IOException e) {
                throw MlxException.userError("cannot read " + dir + ": " + e.getMessage(), e);
            }
        }
        return reviews;
    }
}
