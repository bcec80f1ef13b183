package dev.mlx.vision.io;

import dev.mlx.api.error.MlxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder a user-supplied dataset is read from (parameter {@code dir}), checked once with a
 * message that says where to get the data and how to lay it out.
 */
public final class DatasetFolder {
    private DatasetFolder() {}

    /**
     * @param dataset the dataset name
     * @param dir the {@code dir} parameter
     * @param howToGet where to get the data and the expected layout, one sentence
     * @return the folder
     * @throws MlxException (user error) if {@code dir} is empty or not a folder
     */
    public static Path require(String dataset, String dir, String howToGet) {
        if (dir == null || dir.isBlank()) {
            throw MlxException.userError(dataset + ": no data folder given; pass --dataset-param dir=/path/to/folder. "
                    + howToGet + " (see docs/datasets.md)");
        }
        Path folder = Path.of(dir);
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError(dataset + ": data folder " + folder.toAbsolutePath() + " does not exist. "
                    + howToGet + " (see docs/datasets.md)");
        }
        return folder;
    }

    /**
     * @param dataset the dataset name
     * @param file a file the layout requires
     * @param fix what to do if it is missing
     * @return the file
     * @throws MlxException (user error) naming the file if it is missing
     */
    public static Path requireFile(String dataset, Path file, String fix) {
        if (!Files.isRegularFile(file)) {
            throw MlxException.userError(dataset + ": missing file " + file + "; " + fix + " (see docs/datasets.md)");
        }
        return file;
    }

    /**
     * @param dataset the dataset name
     * @param folder a folder the layout requires
     * @param fix what to do if it is missing
     * @return the folder
     * @throws MlxException (user error) naming the folder if it is missing
     */
    public static Path requireFolder(String dataset, Path folder, String fix) {
        if (!Files.isDirectory(folder)) {
            throw MlxException.userError(dataset + ": missing folder " + folder + "; " + fix + " (see docs/datasets.md)");
        }
        return folder;
    }
}
