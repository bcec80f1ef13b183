package dev.mlx.app;

import dev.mlx.app.run.Provenance;
import picocli.CommandLine.IVersionProvider;

/** Prints the mlx version from the JAR manifest. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"mlx " + Provenance.mlxVersion() + " (Java " + System.getProperty("java.version") + ")"};
    }
}
