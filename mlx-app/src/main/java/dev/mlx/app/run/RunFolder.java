package dev.mlx.app.run;

import dev.mlx.api.error.ErrorKind;
import dev.mlx.api.error.MlxException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An output folder written all-or-nothing: files go to a hidden staging folder next to the
 * target, and {@link #commit()} moves it into place. A run that fails leaves no half-written
 * folder, and an existing folder is never overwritten unless {@code replace} is set (then it is
 * replaced only after the new one is complete).
 */
public final class RunFolder implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final boolean replace;
    private boolean committed;
    private boolean keep;

    private RunFolder(Path target, Path staging, boolean replace) {
        this.target = target;
        this.staging = staging;
        this.replace = replace;
    }

    /**
     * @param target the folder to produce
     * @param replace whether an existing folder may be replaced
     * @return the staging folder writer
     * @throws MlxException (user error) if the target exists and {@code replace} is false
     */
    public static RunFolder create(Path target, boolean replace) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute) && !replace) {
            throw MlxException.userError("output folder " + target + " already exists; choose another --out or pass"
                    + " --overwrite to replace it");
        }
        try {
            Path parent = absolute.getParent();
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".partial-");
            return new RunFolder(absolute, staging, replace);
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot create output folder " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Continues writing into the staging folder an interrupted run left (see {@link #leftovers}).
     *
     * @param target the folder the run produces
     * @param staging its leftover staging folder
     * @return the staging folder writer
     * @throws MlxException (user error) if the target exists already
     */
    public static RunFolder reopen(Path target, Path staging) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw MlxException.userError("output folder " + target + " already exists; the run it was for has finished");
        }
        return new RunFolder(absolute, staging, false);
    }

    /**
     * The staging folders that earlier runs towards {@code target} left behind when they were
     * interrupted (killed, or failed with {@link #keepOnFailure()}), newest first.
     *
     * @param target the folder a run produces
     * @return the leftover staging folders
     */
    public static List<Path> leftovers(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        String prefix = "." + absolute.getFileName() + ".partial-";
        try (Stream<Path> siblings = Files.list(absolute.getParent())) {
            return siblings.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))
                    .sorted(Comparator.comparing(RunFolder::modified).reversed()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot list " + absolute.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Keeps the staging folder if the run fails before {@link #commit()}, so a later run can
     * resume from what it holds (see {@link #leftovers}).
     */
    public void keepOnFailure() {
        keep = true;
    }

    /** @return the staging folder */
    public Path staging() {
        return staging;
    }

    /** @return the final location */
    public Path target() {
        return target;
    }

    /**
     * @param name a file name inside the folder (may contain {@code /})
     * @return its path in the staging folder
     */
    public Path stagingPath(String name) {
        Path p = staging.resolve(name);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw writeFailed(name, e);
        }
        return p;
    }

    /** Writes a UTF-8 text file. */
    public void writeText(String name, String text) {
        try {
            Files.writeString(stagingPath(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw writeFailed(name, e);
        }
    }

    /**
     * The error for a file of this run that could not be written: names where it was going (the
     * final folder and the staging folder on the same filesystem) and what to do; exit code 3.
     *
     * @param name the file inside the folder
     * @param e the cause (a full disk, a read-only filesystem, permissions)
     * @return the exception to throw
     */
    public MlxException writeFailed(String name, IOException e) {
        String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                : e.getMessage();
        return new MlxException(ErrorKind.RESOURCES, "cannot write " + target.resolve(name) + " (staged in " + staging
                + "): " + reason + "; free space or permissions on that filesystem, or choose another --out", e);
    }

    /** Opens a binary file for writing. */
    public OutputStream open(String name) throws IOException {
        return Files.newOutputStream(stagingPath(name));
    }

    /** Moves the complete folder into place. */
    public void commit() {
        try {
            Path backup = null;
            if (Files.exists(target)) {
                if (!replace) {
                    throw MlxException.userError("output folder " + target + " appeared while the run was writing;"
                            + " the results are kept in " + staging);
                }
                backup = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
                move(target, backup);
            }
            move(staging, target);
            committed = true;
            if (backup != null) {
                deleteTree(backup);
            }
        } catch (IOException e) {
            throw new MlxException(ErrorKind.RESOURCES, "cannot move results into " + target + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes the staging folder if the folder was not committed. */
    @Override
    public void close() {
        if (!committed && !keep) {
            try {
                deleteTree(staging);
            } catch (IOException ignored) {
                // best effort: a leftover hidden staging folder is harmless
            }
        }
    }

    /**
     * Deletes a folder and everything in it (a leftover staging folder whose results were taken over).
     *
     * @param root the folder
     * @throws IOException if a file cannot be deleted
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
