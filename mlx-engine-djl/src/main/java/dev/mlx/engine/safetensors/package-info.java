/**
 * Reading PyTorch state dicts in the safetensors format (an 8-byte little-endian header length, a
 * JSON header, raw little-endian tensor data), parsed here without a third-party library.
 */
package dev.mlx.engine.safetensors;
