package dev.mlx.engine.train;

import dev.mlx.api.model.Architecture;
import dev.mlx.api.model.LayerSpec;
import dev.mlx.api.train.RegularizerProvider;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.method.CertR4Provider;
import dev.mlx.engine.method.RrrProvider;
import dev.mlx.engine.nn.Network;
import dev.mlx.engine.testkit.TinyData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Child-JVM probe for {@link MemoryTest}: trains 50 epochs and prints {@code RSS <epoch> <kB>}
 * after each, then {@code ARRAYS <before> <after>} (NDArrays on the root manager).
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) {
        RegularizerProvider provider = args[0].equals("rrr") ? new RrrProvider() : new CertR4Provider();
        Architecture mlp = new Architecture(List.of(new LayerSpec.Flatten(), new LayerSpec.Linear(64, 256),
                new LayerSpec.Relu(), new LayerSpec.Linear(256, 3)));
        try (MlxEngine engine = MlxEngine.start()) {
            int before = engine.manager().getManagedArrays().size();
            try (Network net = engine.networks().create(mlp, new int[] {1, 8, 8}, 1)) {
                new Trainer(new TrainingConfig(50, 50, 1e-3, 0, 1)).train(net, TinyData.decoy(600, 8, 3, false, 1),
                        null, provider.create(provider.parameters().defaults()), new TrainingListener() {
                            @Override
                            public void onEpoch(EpochMetrics m) {
                                System.out.println("RSS " + m.epoch() + " " + residentKb());
                            }
                        });
            }
            System.out.println("ARRAYS " + before + " " + engine.manager().getManagedArrays().size());
        }
    }

    static long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS");
    }
}
