package dev.mlx.app.exec;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link SlurmExecutor} asks Slurm for, per array task (one trial per task).
 *
 * @param partition {@code --partition}, or {@code null} for the cluster's default
 * @param time {@code --time} (e.g. {@code 2:00:00}), or {@code null} for the partition's default
 * @param memory {@code --mem} per task (e.g. {@code 8G}), or {@code null} for the default
 * @param cpusPerTask {@code --cpus-per-task}; also the trial's PyTorch thread count
 * @param gpusPerTask GPUs per task ({@code --gres=gpu:N}), 0 for none
 * @param throttle the array throttle {@code %N}: tasks running at once (0: no limit)
 * @param extra further sbatch flags, passed as given (e.g. {@code --account=lab}, {@code --qos=short})
 */
public record SlurmOptions(String partition, String time, String memory, int cpusPerTask, int gpusPerTask,
        int throttle, List<String> extra) {
    public SlurmOptions {
        extra = List.copyOf(extra);
        if (cpusPerTask < 1 || gpusPerTask < 0 || throttle < 0) {
            throw new IllegalArgumentException("cpus " + cpusPerTask + ", gpus " + gpusPerTask + ", throttle "
                    + throttle);
        }
    }

    /**
     * @param tasks the array's size (at least 1)
     * @return the {@code sbatch} flags of an array of that size (without the script)
     */
    List<String> sbatchFlags(int tasks) {
        List<String> flags = new ArrayList<>();
        flags.add("--array=0-" + (tasks - 1) + (throttle > 0 ? "%" + throttle : ""));
        flags.add("--cpus-per-task=" + cpusPerTask);
        if (partition != null) {
            flags.add("--partition=" + partition);
        }
        if (time != null) {
            flags.add("--time=" + time);
        }
        if (memory != null) {
            flags.add("--mem=" + memory);
        }
        if (gpusPerTask > 0) {
            flags.add("--gres=gpu:" + gpusPerTask);
        }
        flags.addAll(extra);
        return flags;
    }
}
