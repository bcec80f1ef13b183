package dev.mlx.app.testing;

import dev.mlx.app.Main;
import dev.mlx.app.plugin.PluginKind;

/** {@code mlx} with the generated {@code tiny-decoy} dataset registered, for tests that start a child JVM. */
public final class TinyMain {
    private TinyMain() {}

    /** @param args the mlx arguments */
    public static void main(String[] args) {
        System.exit(Main.run(args, System.out, System.err,
                b -> b.add(PluginKind.DATASET, new TinyDecoyProvider(), "test")));
    }
}
