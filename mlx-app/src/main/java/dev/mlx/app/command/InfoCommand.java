package dev.mlx.app.command;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.mlx.app.plugin.PluginCatalog;
import dev.mlx.app.plugin.PluginJar;
import dev.mlx.app.run.Provenance;
import dev.mlx.engine.MlxEngine;
import dev.mlx.engine.NativeLibraries;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code mlx info}: what this installation runs on, for bug reports and for checking a GPU set-up:
 * versions (mlx, Java, DJL, libtorch, ONNX Runtime), where the PyTorch natives were loaded from and
 * their flavour, the CUDA devices the engine sees, torch threads, oneDNN, ONNX Runtime's execution
 * providers, the heap and the plugins folder.
 */
@Command(name = "info", description = "Print versions, native libraries, devices, threads, ONNX Runtime providers and"
        + " heap of this installation.")
public final class InfoCommand implements Callable<Integer> {
    private final PluginCatalog catalog;
    private final AppSettings settings;
    private final EngineHolder engine;

    @Inject
    public InfoCommand(PluginCatalog catalog, AppSettings settings, EngineHolder engine) {
        this.catalog = catalog;
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    public Integer call() {
        PrintStream out = settings.out();
        MlxEngine mlx = engine.get();
        Engine pt = mlx.engine();
        out.println("mlx:            " + Provenance.mlxVersion());
        out.println("java:           " + System.getProperty("java.vendor") + " " + System.getProperty("java.version")
                + " (" + System.getProperty("java.home") + ")");
        out.println("os:             " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.printf(Locale.ROOT, "heap:           max %d MiB (used %d MiB)%n", Runtime.getRuntime().maxMemory() >> 20,
                heap.getUsed() >> 20);
        out.println("DJL:            " + Engine.getDjlVersion() + " (offline " + System.getProperty("ai.djl.offline")
                + ")");
        Path natives = NativeLibraries.torchFolder();
        out.println("PyTorch:        " + pt.getVersion() + ", flavour " + NativeLibraries.torchFlavor() + ", natives "
                + (natives == null ? "unknown" : natives));
        out.println("device:         " + mlx.device() + " (--device " + mlx.deviceRequest().text() + ")");
        out.println("torch threads:  intra-op " + JniUtils.getNumThreads() + ", inter-op "
                + JniUtils.getNumInteropThreads());
        out.println("oneDNN convs:   " + switch (mlx.oneDnnConvolutions()) {
            case FIRST_ORDER -> "forward passes and first-order gradients, off in backward passes through a gradient";
            case OFF -> "off (-Dmlx.onednn=off)";
            case ON -> "on everywhere (-Dmlx.onednn=on: reproduces the rare NaN, never for training)";
        } + " (docs/architecture.md, \"The rare NaN\")");
        int gpus = pt.getGpuCount();
        out.println("CUDA devices:   " + gpus + (gpus == 0 ? " (" + (CudaUtils.hasCuda()
                ? "CUDA runtime present, no usable GPU" : "no CUDA runtime") + "; the engine runs on the CPU)" : ""));
        List<String> names = gpus > 0 ? gpuNames() : List.of();
        for (int i = 0; i < gpus; i++) {
            ai.djl.Device d = ai.djl.Device.gpu(i);
            MemoryUsage m = CudaUtils.getGpuMemory(d);
            out.printf(Locale.ROOT, "  cuda:%d        %scompute capability %s, %d MiB%n", i,
                    i < names.size() ? names.get(i) + ", " : "", CudaUtils.getComputeCapability(i), m.getMax() >> 20);
        }
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
        out.println("ONNX Runtime:   " + ort.getVersion() + ", providers " + providers);
        List<PluginJar> jars = catalog.registry().jars();
        out.println("plugins folder: " + settings.pluginsDir().toAbsolutePath() + " (" + jars.size() + " JARs, "
                + catalog.registry().failures().size() + " failed to load; see mlx plugins)");
        return 0;
    }

    /** @return the GPUs' names from {@code nvidia-smi} (DJL has no call for them), or none if it is missing */
    static List<String> gpuNames() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
