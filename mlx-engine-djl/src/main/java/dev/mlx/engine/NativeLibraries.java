package dev.mlx.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which PyTorch natives this process loaded (from {@code /proc/self/maps}), for {@code mlx info} and messages. */
public final class NativeLibraries {
    private NativeLibraries() {}

    /**
     * @param name a shared library's file name, e.g. {@code libtorch_cpu.so}
     * @return the file this process has mapped, or {@code null}
     */
    public static Path loaded(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + name)) {
                    return Path.of(line.substring(slash));
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return null;
    }

    /**
     * @param folder DJL's native folder name, e.g. {@code 2.7.1-20250812-cpu-linux-x86_64}
     * @return its flavour part, e.g. {@code cpu} or {@code cu128}
     */
    public static String flavorOf(String folder) {
        String[] parts = folder.split("-");
        return parts.length >= 4 ? parts[parts.length - 3] : folder;
    }

    /** @return the flavour of the loaded libtorch ({@code cpu}, {@code cu128}, ...) or {@code unknown} */
    public static String torchFlavor() {
        Path natives = loaded("libtorch_cpu.so");
        return natives == null ? "unknown" : flavorOf(natives.getParent().getFileName().toString());
    }

    /** @return the folder the libtorch natives were loaded from, or {@code null} */
    public static Path torchFolder() {
        Path natives = loaded("libtorch_cpu.so");
        return natives == null ? null : natives.getParent();
    }
}
