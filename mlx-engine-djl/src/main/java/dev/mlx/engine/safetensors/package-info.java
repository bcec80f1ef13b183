/**
 * Reading PyTorch state dicts in the safetensors format (an 8-byte little-endian header length, a
 * JSON header parsed by Jackson, raw little-endian tensor data read from a mapping of the file).
 */
package dev.mlx.engine.safetensors;
